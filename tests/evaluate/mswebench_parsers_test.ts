import assert from "node:assert/strict";
import { pyInt, pyRe, pyReadText } from "../../src/evaluate/parsers/_common.ts";
import { parseAutomake, zstdParser } from "../../src/evaluate/parsers/mswebench/automake.ts";
import { parseCargo } from "../../src/evaluate/parsers/mswebench/cargo.ts";
import { parseCatch2, parseCtest } from "../../src/evaluate/parsers/mswebench/ctest.ts";
import { parseGoTest, parseGoTestParent } from "../../src/evaluate/parsers/mswebench/go_test.ts";
import { parseGradle, parseGradleJib } from "../../src/evaluate/parsers/mswebench/gradle.ts";
import { parseGson } from "../../src/evaluate/parsers/mswebench/gson.ts";
import { parseGtestPony } from "../../src/evaluate/parsers/mswebench/gtest.ts";
import {
  parseJestDarkreader,
  parseJestFlat,
  parseJestSuites,
} from "../../src/evaluate/parsers/mswebench/jest.ts";
import {
  parseMochaJsonExpress,
  parseMochaJsonMui,
} from "../../src/evaluate/parsers/mswebench/mocha_json.ts";
import { parseMochaSpec } from "../../src/evaluate/parsers/mswebench/mocha_spec.ts";
import { MSB_FAMILIES, msbParser } from "../../src/evaluate/parsers/mswebench/mod.ts";
import { parseSurefire, parseSurefireRaw } from "../../src/evaluate/parsers/mswebench/surefire.ts";
import { parseVitest } from "../../src/evaluate/parsers/mswebench/vitest.ts";
import { LogParseError } from "../../src/evaluate/parsers/types.ts";
import { asObject } from "./_helpers.ts";

function overlapError(fn: () => unknown, name: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof LogParseError, String(error));
    assert.match(error.message, new RegExp(`test "${name.replace(/[/.]/g, "\\$&")}" is both`));
    return true;
  });
}

// --- Go ----------------------------------------------------------------------------------------

const GO_LOG = [
  "=== RUN   TestA",
  "--- PASS: TestA (0.00s)",
  "=== RUN   TestB",
  "--- PASS: TestB (0.00s)",
  "    --- PASS: TestB/case_one (0.00s)",
  "ok  \tgithub.com/o/r/pkg\t0.01s",
  "FAIL\tgithub.com/o/r/other/sub\t0.02s",
  "FAILED lines make odd names",
].join("\n");

Deno.test("G1 parseGoTest() keeps subtests and reads failing packages from FAIL lines", () => {
  assert.deepEqual(asObject(parseGoTest(GO_LOG)), {
    TestA: "PASSED",
    TestB: "PASSED",
    "TestB/case_one": "PASSED",
    "github.com/o/r/other/sub": "FAILED",
    ED: "FAILED",
  });
});

Deno.test("G2 parseGoTestParent() stores the parent name of subtests and packages", () => {
  assert.deepEqual(asObject(parseGoTestParent(GO_LOG)), {
    TestA: "PASSED",
    TestB: "PASSED",
    "github.com/o/r/other": "FAILED",
    ED: "FAILED",
  });
});

Deno.test("G2 parseGoTestParent() raises the reference's overlap error for FAIL TestA + PASS TestA/x", () => {
  overlapError(
    () => parseGoTestParent("--- FAIL: TestA (0.00s)\n    --- PASS: TestA/x (0.00s)\n"),
    "TestA",
  );
});

Deno.test("G1 parseGoTest() lets a failure win over an earlier pass and ignores unfailed skips", () => {
  const log = "--- PASS: TestA (0.00s)\n--- FAIL: TestA (0.00s)\n--- SKIP: TestC (0.00s)\n";
  assert.deepEqual(asObject(parseGoTest(log)), { TestA: "FAILED" });
});

// --- Rust, C, C++ ------------------------------------------------------------------------------

Deno.test("R parseCargo() reads ok/FAILED/ignored and errors on a name in two binaries", () => {
  const log =
    "test a::x ... ok\ntest a::y ... FAILED\ntest a::z ... ignored\ntest src/l.rs - f (line 2) ... ok\n";
  assert.deepEqual(asObject(parseCargo(log)), {
    "a::x": "PASSED",
    "a::y": "FAILED",
    "a::z": "SKIPPED",
  });
  overlapError(() => parseCargo("test t ... ok\ntest t ... FAILED\n"), "t");
});

Deno.test("C1 parseAutomake() reads PASS/FAIL/SKIP and ignores XFAIL, XPASS and ERROR", () => {
  const log = "PASS: tests/a\nFAIL: tests/b\nSKIP: tests/c\nXFAIL: tests/d\nERROR: tests/e\n";
  assert.deepEqual(asObject(parseAutomake(log)), {
    "tests/a": "PASSED",
    "tests/b": "FAILED",
    "tests/c": "SKIPPED",
  });
});

Deno.test("C1' zstdParser() switches to one 'all tests' result inside its PR ranges", () => {
  const keyword = "make[1]: Leaving directory '/home/zstd/doc/educational_decoder'";
  assert.deepEqual(asObject(zstdParser(2000)(`${keyword}\nPASS: x\n`)), { "all tests": "PASSED" });
  assert.deepEqual(asObject(zstdParser(2000)(`${keyword}\n${keyword}\n`)), {
    "all tests": "FAILED",
  });
  assert.deepEqual(asObject(zstdParser(1500)("PASS: all POOL tests\n")), { "all tests": "PASSED" });
  assert.deepEqual(asObject(zstdParser(3000)("PASS: x\n")), { x: "PASSED" });
});

Deno.test("C3 parseCtest() records failures only when the line ends at 'Failed', as the reference", () => {
  const log = [
    " 1/3 Test #1: core-test ........   Passed    0.01 sec",
    " 2/3 Test #2: format-test ......***Failed    0.05 sec",
    " 3/3 Test #3: chrono-test ......***Failed",
  ].join("\n");
  assert.deepEqual(asObject(parseCtest(log)), { "core-test": "PASSED", "chrono-test": "FAILED" });
});

Deno.test("C4 parseCatch2() lowercases names and reads cmake checks", () => {
  const log = [
    "-- Performing Test HAVE_FLAG_WALL - Success",
    "-- Performing Test HAVE_FLAG_WEIRD - Failed",
    "1/2 Test  #1: RunTests .........................   Passed    0.50 sec",
    "2/2 Test  #2: ApprovalTests ....................***Failed    1.20 sec",
  ].join("\n");
  assert.deepEqual(asObject(parseCatch2(log)), {
    have_flag_wall: "PASSED",
    runtests: "PASSED",
    have_flag_weird: "FAILED",
    approvaltests: "FAILED",
  });
});

Deno.test("C2 parseGtestPony() reads plain and colour-wrapped gtest lines and pony's runner", () => {
  const log = [
    "[       OK ] Suite.A (0 ms)",
    "\x1b[0;31m[  FAILED  ] \x1b[0mSuite.B (1 ms)",
    "\x1b[92m---- Passed: builtin/Array\x1b[0m",
    "\x1b[91m**** FAILED: builtin/String\x1b[0m",
    "[  FAILED  ] Suite.B",
  ].join("\n");
  assert.deepEqual(asObject(parseGtestPony(log)), {
    "Suite.A": "PASSED",
    "builtin/Array": "PASSED",
    "Suite.B": "FAILED",
    "builtin/String": "FAILED",
  });
});

// --- Java --------------------------------------------------------------------------------------

const SUREFIRE = [
  "[INFO] Tests run: 5, Failures: 0, Errors: 0, Skipped: 1, Time elapsed: 0.2 s - in com.x.ATest",
  "[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.1 s <<< FAILURE! - in com.x.BTest",
  "[WARNING] Tests run: 2, Failures: 0, Errors: 0, Skipped: 2, Time elapsed: 0 s - in com.x.CTest",
  "[INFO] Tests run: 10, Failures: 1, Errors: 0, Skipped: 3",
].join("\n");

Deno.test("J1 parseSurefire() classifies test classes by their Tests run: line", () => {
  assert.deepEqual(asObject(parseSurefire(SUREFIRE)), {
    "com.x.ATest": "PASSED",
    "com.x.BTest": "FAILED",
    "com.x.CTest": "SKIPPED",
  });
});

Deno.test("J1 strips ANSI codes first; J1' does not, and misses coloured lines", () => {
  const log =
    "\x1b[1;32mTests run: 1, Failures: 0, Errors: 0, Skipped: 0\x1b[m, Time elapsed: 1 s - in a.B";
  assert.deepEqual(asObject(parseSurefire(log)), { "a.B": "PASSED" });
  assert.equal(parseSurefireRaw(log).size, 0);
});

Deno.test("J2 parseGson() reads Running blocks over several lines, from offset 8", () => {
  const log = [
    "Running com.google.gson.AFirst",
    "Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.1 sec",
    "Running com.google.gson.BTest",
    "some output",
    "Tests run: 4, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.2 sec",
    "Running com.google.gson.CTest",
    "Tests run: 2, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.01 sec <<< FAILURE!",
  ].join("\n");
  // "Running com.google.gson.AFirst" starts at offset 0, so the offset-8 quirk skips it.
  assert.deepEqual(asObject(parseGson(log)), {
    "com.google.gson.BTest": "PASSED",
    "com.google.gson.CTest": "FAILED",
  });
});

Deno.test("J3 parseGradle() reads tasks and Class > method lines without stripping them", () => {
  const log = [
    "> Task :logstash-core:compileJava",
    "> Task :logstash-core:test FAILED",
    "org.logstash.FooTest > testBar PASSED",
    "org.logstash.FooTest > testBaz FAILED",
    "  org.logstash.FooTest > testIndented PASSED",
    "> Task :docs:javadoc NO-SOURCE",
  ].join("\n");
  assert.deepEqual(asObject(parseGradle(log)), {
    "logstash-core:compileJava": "PASSED",
    "org.logstash.FooTest > testBar": "PASSED",
    "  org.logstash.FooTest > testIndented": "PASSED",
    "logstash-core:test": "FAILED",
    "org.logstash.FooTest > testBaz": "FAILED",
    "docs:javadoc": "SKIPPED",
  });
});

Deno.test("J3 parseGradle() errors when a passed task is also skipped", () => {
  overlapError(() => parseGradle("> Task :a:b\n> Task :a:b SKIPPED\n"), "a:b");
});

Deno.test("J4 parseGradleJib() strips lines, counts FROM-CACHE as a pass and drops unfailed skips", () => {
  const log = "  > Task :jib-core:compileJava FROM-CACHE\n> Task :jib-core:javadoc SKIPPED\n";
  assert.deepEqual(asObject(parseGradleJib(log)), { "jib-core:compileJava": "PASSED" });
});

// --- JavaScript / TypeScript -------------------------------------------------------------------

Deno.test("JS1 parseJestSuites() prefixes tests with their suite and rejects a test before any suite", () => {
  const log =
    "PASS test/a.test.js (1.2s)\n  ✓ works (3ms)\nFAIL test/b.test.js\n  ✕ breaks\n  ○ skipped x\n";
  assert.deepEqual(asObject(parseJestSuites(log)), {
    "test/a.test.js": "PASSED",
    "test/a.test.js:works": "PASSED",
    "test/b.test.js": "FAILED",
    "test/b.test.js:breaks": "FAILED",
  });
  assert.throws(() => parseJestSuites("✓ orphan\n"), /Test passed without suite: ✓ orphan/);
});

Deno.test("JS1' parseJestDarkreader() needs a path without spaces and drops any parenthesised tail", () => {
  const log = "PASS tests/u.tests.ts (5.1 s)\n  ✓ Time parse (12 ms)\n  ✓ Nigth check\n";
  assert.deepEqual(asObject(parseJestDarkreader(log)), {
    "tests/u.tests.ts": "PASSED",
    "tests/u.tests.ts:Time parse": "PASSED",
    "tests/u.tests.ts:Nigth check": "PASSED",
  });
});

Deno.test("JS2 parseJestFlat() keeps bare titles and ignores ✕ lines", () => {
  const log =
    "PASS packages/a/x.test.ts (3 s)\n  ✓ imports (2 tests) (5 ms)\nFAIL packages/b/y.test.ts\n  ✕ exports\n";
  assert.deepEqual(asObject(parseJestFlat(log)), {
    "packages/a/x.test.ts": "PASSED",
    imports: "PASSED",
    "packages/b/y.test.ts": "FAILED",
  });
});

Deno.test("JS3 parseVitest() keeps the whole reporter line and drops a trailing duration", () => {
  const log = " ✓ test/a.test.ts > parse > works 12ms\n × test/a.test.ts > parse > breaks\n";
  assert.deepEqual(asObject(parseVitest(log)), {
    "test/a.test.ts > parse > works": "PASSED",
    "test/a.test.ts > parse > breaks": "FAILED",
  });
});

Deno.test("JS4 parseMochaSpec() reads ✔ titles and numbered failures, summary included", () => {
  const log =
    "  ✔ should work (5ms)\n  1) should fail\n\n  1 passing\n  1 failing\n\n  1) Router\n";
  assert.deepEqual(asObject(parseMochaSpec(log)), {
    "should work": "PASSED",
    "should fail": "FAILED",
    Router: "FAILED",
  });
});

const MOCHA_REPORT = {
  stats: {
    suites: 1,
    tests: 3,
    passes: 1,
    pending: 1,
    failures: 1,
    start: "s",
    end: "e",
    duration: 5,
  },
  tests: [],
  pending: [{ title: "p", fullTitle: "S p", file: "/a.test.js", currentRetry: 0, err: {} }],
  failures: [{
    title: "f",
    fullTitle: "S f",
    file: "/a.test.js",
    currentRetry: 0,
    err: { message: "x" },
  }],
  passes: [
    { title: "ok", fullTitle: "S ok", file: "/a.test.js", currentRetry: 0, err: {} },
    { title: "f", fullTitle: "S f", file: "/a.test.js", currentRetry: 1, err: {} },
  ],
};

Deno.test("JS5 parseMochaJsonMui() reads the report from the first 'Building new' on, names tests file:fullTitle", () => {
  const json = JSON.stringify(MOCHA_REPORT, null, 2);
  const log =
    `yarn run v1.22\n{"before": "the marker is not read"}\nBuilding new bundle\n$ mocha --reporter json\n{ not json\n${json}\nerror Command failed with exit code 1.\n`;
  assert.deepEqual(asObject(parseMochaJsonMui(log)), {
    "/a.test.js:S f": "FAILED",
    "/a.test.js:S p": "SKIPPED",
    "/a.test.js:S ok": "PASSED",
  });
  // A report before the marker is not read; without a marker, the whole log is.
  assert.deepEqual(asObject(parseMochaJsonMui(`${json}\nBuilding new bundle\ndone\n`)), {});
  assert.equal(parseMochaJsonMui(`${json}\n`).size, 3);
});

Deno.test("JS5 reads non-string titles as Python's str() does", () => {
  const report = structuredClone(MOCHA_REPORT);
  report.failures = [];
  report.pending = [];
  // deno-lint-ignore no-explicit-any
  report.passes = [{ ...report.passes[0]!, fullTitle: 12 as any }, {
    ...report.passes[0]!,
    // deno-lint-ignore no-explicit-any
    fullTitle: [null, true, 1.5, "it's"] as any,
  }];
  assert.deepEqual(asObject(parseMochaJsonExpress(JSON.stringify(report))), {
    "12": "PASSED",
    '[None, True, 1.5, "it\'s"]': "PASSED",
  });
});

Deno.test("JS5 express empties '=...' and 'Writing ...' lines split at \\n only", () => {
  const json = JSON.stringify(MOCHA_REPORT);
  // "Writing a\rb" is one line for Python: all of it goes, so the report still decodes.
  const log = `${json.slice(0, 20)}\nWriting a\r{"b\n${json.slice(20)}\n`;
  assert.deepEqual(asObject(parseMochaJsonExpress(log)), {
    "S f": "FAILED",
    "S p": "SKIPPED",
    "S ok": "PASSED",
  });
});

Deno.test("JS5 parseMochaJsonExpress() rejects an object that is not a mocha report", () => {
  const log = `${JSON.stringify(MOCHA_REPORT)}\nWriting coverage\n{"other": true}\n`;
  assert.throws(
    () => parseMochaJsonExpress(log),
    /mocha JSON report in the log: missing key "stats"/,
  );
  assert.deepEqual(asObject(parseMochaJsonExpress(JSON.stringify(MOCHA_REPORT))), {
    "S f": "FAILED",
    "S p": "SKIPPED",
    "S ok": "PASSED",
  });
});

Deno.test("msbParser() picks express's parser by PR number", () => {
  const spec = "  ✔ works (3ms)\n";
  assert.deepEqual(asObject(msbParser("expressjs", "express", 4852).parse(spec)), {
    works: "PASSED",
  });
  assert.equal(msbParser("expressjs", "express", 5000).parse(spec).size, 0);
  assert.equal(MSB_FAMILIES.express!.parserFor(4852), parseMochaSpec);
  assert.equal(MSB_FAMILIES.express!.parserFor(5000), parseMochaJsonExpress);
});

Deno.test("pyRe gives \\w, \\d, \\s, . and $ Python's Unicode meaning; pyInt reads any decimal digit", () => {
  assert.deepEqual(pyRe("^(\\w+) (\\d+)$").exec("한국어_тест ٣٤")?.slice(1), ["한국어_тест", "٣٤"]);
  assert.equal(pyRe("^a.b$").test("a\rb"), true);
  assert.equal(pyRe("^a.b$").test("a\nb"), false);
  assert.equal(pyRe("^ab$").test("ab\n"), true, "$ before a final newline");
  assert.equal(pyRe("^\\s$").test("\x1c"), true);
  assert.equal(pyRe("^[\\d.]+$").test("١.٥"), true);
  assert.equal(pyInt("٣٤"), 34n);
  assert.equal(pyInt("３"), 3n);
  assert.equal(pyInt("𝟗"), 9n);
  assert.throws(() => pyRe("\\bx"), SyntaxError);
});

Deno.test("Unicode names and digits: jest durations, surefire counts, vitest and mocha titles", () => {
  assert.deepEqual(
    asObject(
      parseJestSuites("PASS a.test.js (٥.١ s)\n  ✓ 한국어 제목 (٣ ms)\n  ✓ русский (5 мс)\n"),
    ),
    { "a.test.js": "PASSED", "a.test.js:한국어 제목": "PASSED", "a.test.js:русский": "PASSED" },
  );
  assert.deepEqual(
    asObject(parseSurefire(
      "Tests run: ٣, Failures: ١, Errors: 0, Skipped: 0, Time elapsed: ٠.١ s - in com.Тест\n",
    )),
    { "com.Тест": "FAILED" },
  );
  assert.deepEqual(asObject(parseVitest(" ✓ a.spec.ts > 日本語 ٣ms\n")), {
    "a.spec.ts > 日本語": "PASSED",
  });
  assert.deepEqual(asObject(parseMochaSpec("  ✔ кириллица (٣ms)\n")), { "кириллица": "PASSED" });
});

Deno.test("msbParser reads the log as the harness reads fix-patch-run.log: \\r\\n and \\r are \\n", () => {
  const log = "Running com.google.gson.A\r\nTests run: 1, Failures: 1, Errors: 0, Skipped: 0, " +
    "Time elapsed: 0.1 sec <<< FAILURE!\r\n";
  // Called directly, the reference keeps the \r in the name; its harness never sees one.
  assert.deepEqual(asObject(parseGson(`12345678${log}`)), {
    "com.google.gson.A": "FAILED",
    "com.google.gson.A\r": "FAILED",
  });
  assert.deepEqual(asObject(msbParser("google", "gson", 1).parse(`12345678${log}`)), {
    "com.google.gson.A": "FAILED",
  });
  assert.equal(pyReadText("a\r\nb\rc\n"), "a\nb\nc\n");
});
