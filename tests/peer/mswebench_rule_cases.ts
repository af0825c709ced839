/**
 * Constructed cases of the Multi-SWE-bench resolved rule for the peer test
 * (`mswebench_rule_test.ts`): a dataset row (stored `run` / `test` results and the expected
 * f2p / p2p / s2p / n2p groups) and the candidate's fix log (or none), covering each
 * `Report.check()` condition, the dataset completeness check, and the instance errors (parse
 * errors, a missing log). Most rows are `jqlang/jq` (automake lines make any fix result easy to
 * write); some use other parsers, names with spaces or Unicode, and the PR-number parsers.
 *
 * @module
 */

/** Stored names per status. */
export interface Stage {
  pass?: string[];
  fail?: string[];
  skip?: string[];
}

/** One case. */
export interface RuleCase {
  id: string;
  /** `org/repo`. @default "jqlang/jq" */
  repo?: string;
  /** Unique within `org/repo`; the parser depends on it for zstd and express. */
  number: number;
  run: Stage;
  test: Stage;
  /** Expected groups: test names. */
  groups: { f2p?: string[]; p2p?: string[]; s2p?: string[]; n2p?: string[] };
  /** The fix log, or null when the harness has none. */
  fixLog: string | null;
}

/** automake lines for a fix result. */
export function automake(stage: Stage): string {
  return [
    ...(stage.pass ?? []).map((n) => `PASS: ${n}`),
    ...(stage.fail ?? []).map((n) => `FAIL: ${n}`),
    ...(stage.skip ?? []).map((n) => `SKIP: ${n}`),
    "",
  ].join("\n");
}

const zstdLeaving = "make[1]: Leaving directory '/home/zstd/doc/educational_decoder'";

const mochaJson = (passes: unknown[], failures: unknown[] = []) =>
  JSON.stringify(
    {
      stats: {
        suites: 1,
        tests: 1,
        passes: 1,
        pending: 0,
        failures: 0,
        start: "s",
        end: "e",
        duration: 1,
      },
      tests: [],
      pending: [],
      failures,
      passes,
    },
    null,
    2,
  );

const test = (fullTitle: unknown, file?: string) => ({
  title: "t",
  fullTitle,
  ...(file ? { file } : {}),
  currentRetry: 0,
  err: {},
});

/** The cases. */
export const RULE_CASES: readonly RuleCase[] = [
  {
    id: "gold: the f2p test passes, the p2p test keeps passing",
    number: 1,
    run: { pass: ["tests/a"] },
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"], p2p: ["tests/a"] },
    fixLog: automake({ pass: ["tests/a", "tests/b"] }),
  },
  {
    id: "the f2p test is missing from the fix log",
    number: 2,
    run: { pass: ["tests/a"] },
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"], p2p: ["tests/a"] },
    fixLog: automake({ pass: ["tests/a", "tests/c"] }),
  },
  {
    id: "check 3: the f2p test still fails, nothing is fixed",
    number: 3,
    run: { pass: ["tests/a"] },
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"], p2p: ["tests/a"] },
    fixLog: automake({ pass: ["tests/a"], fail: ["tests/b"] }),
  },
  {
    id: "check 2: a test that passed with the test patch fails",
    number: 4,
    run: { pass: ["tests/a"] },
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"], p2p: ["tests/a"] },
    fixLog: automake({ pass: ["tests/b"], fail: ["tests/a"] }),
  },
  {
    id: "check 1: no test in the fix log",
    number: 5,
    run: { pass: ["tests/a"] },
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: "make: *** [check] Error 1\n",
  },
  {
    id: "check 3: only skipped tests in the fix log",
    number: 6,
    run: {},
    test: { fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ skip: ["tests/b", "tests/c"] }),
  },
  {
    id: "check 4: passed at run, absent with the test patch, failing with the fix",
    number: 7,
    run: { pass: ["tests/c"] },
    test: { fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"], fail: ["tests/c"] }),
  },
  {
    id: "check 4: passed at run, skipped with the test patch, failing with the fix",
    number: 8,
    run: { pass: ["tests/c"] },
    test: { fail: ["tests/b"], skip: ["tests/c"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"], fail: ["tests/c"] }),
  },
  {
    id: "failed at run, absent with the test patch, failing with the fix: no anomaly",
    number: 9,
    run: { fail: ["tests/c"] },
    test: { fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"], fail: ["tests/c"] }),
  },
  {
    id: "s2p: skipped with the test patch, passing with the fix",
    number: 10,
    run: { pass: ["tests/a"] },
    test: { pass: ["tests/a"], skip: ["tests/s"] },
    groups: { s2p: ["tests/s"], p2p: ["tests/a"] },
    fixLog: automake({ pass: ["tests/a", "tests/s"] }),
  },
  {
    id: "n2p: a new test that passes with the fix",
    number: 11,
    run: { pass: ["tests/a"] },
    test: { pass: ["tests/a"] },
    groups: { n2p: ["tests/new"], p2p: ["tests/a"] },
    fixLog: automake({ pass: ["tests/a", "tests/new"] }),
  },
  {
    id: "an f2p name the stored test stage has as passed lands in p2p: missing",
    number: 12,
    run: {},
    test: { pass: ["tests/b"], fail: ["tests/x"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b", "tests/x"] }),
  },
  {
    id: "a new test failing with the fix is harmless",
    number: 13,
    run: {},
    test: { fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"], fail: ["tests/brand-new"] }),
  },
  {
    id: "a test passing with the test patch and skipped with the fix, not expected",
    number: 14,
    run: {},
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"], skip: ["tests/a"] }),
  },
  {
    id: "an expected p2p test skipped with the fix",
    number: 15,
    run: {},
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"], p2p: ["tests/a"] },
    fixLog: automake({ pass: ["tests/b"], skip: ["tests/a"] }),
  },
  {
    id: "error: the fix log has a test both passed and failed",
    number: 16,
    run: {},
    test: { fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"], fail: ["tests/b"] }),
  },
  {
    id: "error: no fix log",
    number: 17,
    run: {},
    test: { fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: null,
  },
  {
    id: "error: the jest parser raises on a test before any suite",
    repo: "iamkun/dayjs",
    number: 18,
    run: {},
    test: { fail: ["test/a.test.js:works"] },
    groups: { f2p: ["test/a.test.js:works"] },
    fixLog: "  ✓ works (1 ms)\nPASS test/a.test.js\n",
  },
  {
    id: "an extra fixed test outside the dataset",
    number: 19,
    run: {},
    test: { fail: ["tests/b", "tests/extra"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b", "tests/extra"] }),
  },
  {
    id: "a row with n2p tests only",
    number: 20,
    run: {},
    test: {},
    groups: { n2p: ["tests/n1", "tests/n2"] },
    fixLog: automake({ pass: ["tests/n1", "tests/n2"] }),
  },
  {
    id: "a row with no expected tests and a valid report",
    number: 21,
    run: {},
    test: { fail: ["tests/b"] },
    groups: {},
    fixLog: automake({ pass: ["tests/b"] }),
  },
  {
    id: "a row with no expected tests and nothing fixed",
    number: 22,
    run: {},
    test: { pass: ["tests/a"] },
    groups: {},
    fixLog: automake({ pass: ["tests/a"] }),
  },
  {
    id: "names with spaces and Unicode (jest suites)",
    repo: "iamkun/dayjs",
    number: 23,
    run: { pass: ["test/ko.test.js"] },
    test: { pass: ["test/ko.test.js"], fail: ["test/ko.test.js:한국어 형식"] },
    groups: { f2p: ["test/ko.test.js:한국어 형식"], p2p: ["test/ko.test.js"] },
    fixLog: "PASS test/ko.test.js\n  ✓ 한국어 형식 (٥ ms)\n",
  },
  {
    id: "names are case-sensitive",
    number: 24,
    run: {},
    test: { fail: ["tests/X"] },
    groups: { f2p: ["tests/X"] },
    fixLog: automake({ pass: ["tests/x"] }),
  },
  {
    id: "an expected p2p test vanished from the fix log",
    number: 25,
    run: { pass: ["tests/a"] },
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"], p2p: ["tests/a"] },
    fixLog: automake({ pass: ["tests/b"] }),
  },
  {
    id: "an unexpected test vanished from the fix log",
    number: 26,
    run: { pass: ["tests/a"] },
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"] }),
  },
  {
    id: "passed at run, failed with the test patch, failing with the fix: no check fails",
    number: 27,
    run: { pass: ["tests/c"] },
    test: { fail: ["tests/b", "tests/c"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"], fail: ["tests/c"] }),
  },
  {
    id: "zstd PR in 1831-2703: the keyword once is 'all tests' passing",
    repo: "facebook/zstd",
    number: 1900,
    run: {},
    test: { fail: ["all tests"] },
    groups: { f2p: ["all tests"] },
    fixLog: `make -C doc/educational_decoder test\n${zstdLeaving}\nFAIL: ignored\n`,
  },
  {
    id: "zstd PR in 1831-2703: the keyword twice is 'all tests' failing",
    repo: "facebook/zstd",
    number: 1901,
    run: {},
    test: { fail: ["all tests"] },
    groups: { f2p: ["all tests"] },
    fixLog: `${zstdLeaving}\n${zstdLeaving}\n`,
  },
  {
    id: "express JSON: a numeric fullTitle is the name '42'",
    repo: "expressjs/express",
    number: 3000,
    run: { pass: ["app works"] },
    test: { pass: ["app works"], fail: ["42"] },
    groups: { f2p: ["42"], p2p: ["app works"] },
    fixLog: `Writing coverage\r${mochaJson([test("app works"), test(42)])}\n`,
  },
  {
    id: "mui: the report after 'Building new' is the one read",
    repo: "mui/material-ui",
    number: 3001,
    run: {},
    test: { fail: ["/a.test.js:<Button /> renders"] },
    groups: { f2p: ["/a.test.js:<Button /> renders"] },
    fixLog: `${mochaJson([], [test("<Button /> renders", "/a.test.js")])}\nBuilding new\n${
      mochaJson([test("<Button /> renders", "/a.test.js")])
    }\n`,
  },
  {
    id: "go: a failing package that passed with the test patch (check 2)",
    repo: "cli/cli",
    number: 3002,
    run: { pass: ["github.com/cli/cli/pkg"] },
    test: { pass: ["github.com/cli/cli/pkg"], fail: ["TestX"] },
    groups: { f2p: ["TestX"] },
    fixLog: "--- PASS: TestX (0.00s)\nFAIL\tgithub.com/cli/cli/pkg\t0.1s\n",
  },
  {
    id: "cargo: the same test passing in two binaries",
    repo: "tokio-rs/bytes",
    number: 3003,
    run: {},
    test: { fail: ["fresh"] },
    groups: { f2p: ["fresh"] },
    fixLog: "running 1 test\ntest fresh ... ok\nrunning 1 test\ntest fresh ... ok\n",
  },
  {
    id: "gson: Arabic-Indic digits in the summary",
    repo: "google/gson",
    number: 3004,
    run: {},
    test: { fail: ["com.google.gson.ArabicTest"] },
    groups: { f2p: ["com.google.gson.ArabicTest"] },
    fixLog:
      "[INFO] Tests\nRunning com.google.gson.ArabicTest\nTests run: ٢, Failures: ٠, Errors: ٠, Skipped: ٠, Time elapsed: 0.1 sec\n",
  },
  {
    id: "surefire: a class with Cyrillic name, digits in another script",
    repo: "fasterxml/jackson-core",
    number: 3005,
    run: { pass: ["com.x.Stable"] },
    test: { pass: ["com.x.Stable"], fail: ["com.пример.Тест"] },
    groups: { f2p: ["com.пример.Тест"], p2p: ["com.x.Stable"] },
    fixLog:
      "[INFO] Tests run: ３, Failures: ０, Errors: ０, Skipped: ０, Time elapsed: 0.1 s - in com.пример.Тест\n" +
      "[INFO] Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.1 s - in com.x.Stable\n",
  },
  {
    id: "skipped with the test patch, failing with the fix, failed at run: no anomaly",
    number: 36,
    run: { fail: ["tests/c"] },
    test: { fail: ["tests/b"], skip: ["tests/c"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"], fail: ["tests/c"] }),
  },
  {
    id: "stored lists with repeated names (counted once)",
    number: 37,
    run: { pass: ["tests/a", "tests/a"] },
    test: { pass: ["tests/a", "tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"], p2p: ["tests/a"] },
    fixLog: automake({ pass: ["tests/a", "tests/b", "tests/a"] }),
  },
  {
    id: "check 2 comes before check 4",
    number: 38,
    run: { pass: ["tests/c"] },
    test: { pass: ["tests/a"], fail: ["tests/b"] },
    groups: { f2p: ["tests/b"] },
    fixLog: automake({ pass: ["tests/b"], fail: ["tests/a", "tests/c"] }),
  },
];

/** A row whose stored results break the TestResult invariants: the reference cannot load it. */
export const BAD_ROW_CASE: RuleCase = {
  id: "error: a stored count that is not its list's size",
  number: 99,
  run: {},
  test: { fail: ["tests/b"] },
  groups: { f2p: ["tests/b"] },
  fixLog: automake({ pass: ["tests/b"] }),
};
