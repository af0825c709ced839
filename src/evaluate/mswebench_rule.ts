/**
 * The Multi-SWE-bench decision rule, pure.
 *
 * Only the fix stage is run by the harness; the `run` (R) and `test` (T) results come from the
 * row's stored `run_result` / `test_patch_result`, the fix results (F) from parsing the
 * candidate's fix log. A name absent from a result is `NONE`.
 *
 * ```
 * error       ⇔ the fix log is missing ∨ its parser threw (overlapping sets included)
 *               ∨ the row's stored results are inconsistent
 * resolved    ⇔ ¬error ∧ |F| > 0
 *               ∧ ¬∃t: T(t)=PASS ∧ F(t)=FAIL
 *               ∧ ∃t: T(t)≠PASS ∧ F(t)=PASS
 *               ∧ ¬∃t: T(t)∈{NONE,SKIP} ∧ F(t)=FAIL ∧ R(t)=PASS
 *               ∧ every row f2p/p2p/s2p/n2p name is in the report's set of the same name
 * unresolved  ⇔ ¬error ∧ ¬resolved
 * ```
 *
 * The first four conditions are the reference's `Report.check()` and produce its `valid` and
 * `error_msg` (same order, same message openings; the summary after "A brief summary is as
 * follows:" is velora's own wording). A reference that cannot load its dataset aborts the run;
 * velora reports an inconsistent row as that instance's error instead.
 *
 * @module
 */
import { VeloraError } from "../errors.ts";
import type { ParsedTests } from "./parsers/types.ts";

/** A test's status in one stage. */
export type MsbStatus = "PASS" | "FAIL" | "SKIP" | "NONE";

/** A stored or parsed stage result (`TestResult`). */
export interface MsbTestResult {
  passed_count: number;
  failed_count: number;
  skipped_count: number;
  passed_tests: string[];
  failed_tests: string[];
  skipped_tests: string[];
}

/** One test across the three stages (`Test`). */
export interface MsbTest {
  run: MsbStatus;
  test: MsbStatus;
  fix: MsbStatus;
}

/** The fields of a Multi-SWE-bench row the rule reads (the report's inputs). */
export type MsbRow = Pick<
  MsbReport,
  | "org"
  | "repo"
  | "number"
  | "run_result"
  | "test_patch_result"
  | "f2p_tests"
  | "p2p_tests"
  | "s2p_tests"
  | "n2p_tests"
>;

/** The per-instance `report.json` of the reference (`Report`), in its key order. */
export interface MsbReport {
  org: string;
  repo: string;
  number: number;
  valid: boolean;
  error_msg: string;
  fixed_tests: Record<string, MsbTest>;
  p2p_tests: Record<string, MsbTest>;
  f2p_tests: Record<string, MsbTest>;
  s2p_tests: Record<string, MsbTest>;
  n2p_tests: Record<string, MsbTest>;
  run_result: MsbTestResult;
  test_patch_result: MsbTestResult;
  fix_patch_result: MsbTestResult;
}

/** The fix stage as the harness saw it. */
export type MsbFixOutcome =
  | { kind: "parsed"; tests: ParsedTests }
  | { kind: "error"; message: string }
  /** The container died or the engine failed (`infra.ts`): not a verdict, evaluated again. */
  | { kind: "infra_error"; message: string };

/** The three buckets of `final_report.json`. */
export type MsbOutcome = "resolved" | "unresolved" | "error";

/** The decision for one instance. */
export interface MsbVerdict {
  /** `org/repo:pr-N`, the harness id. */
  id: string;
  /** The bucket. */
  outcome: MsbOutcome;
  /** `outcome === "resolved"`. */
  resolved: boolean;
  /** One line explaining the outcome. */
  reason: string;
  /** The report the reference would write (absent on error). */
  report?: MsbReport;
  /**
   * True when the error is the evaluation infrastructure's (velora's `error_infra`): the
   * instance is not kept as evaluated, the next run evaluates it again.
   */
  infra?: true;
}

/** A row whose stored results break the `TestResult` invariants. */
export class MsbDataError extends VeloraError {}

/** The harness id `org/repo:pr-N`. */
export function msbId(org: string, repo: string, number: number): string {
  return `${org}/${repo}:pr-${number}`;
}

/**
 * Checks a stored `TestResult` as the reference's constructor does: each count equals its
 * (de-duplicated) list's size, and no name is in two lists.
 */
export function checkTestResult(value: unknown, label: string): MsbTestResult {
  const fail = (what: string): never => {
    throw new MsbDataError(`Cannot use ${label}: ${what}`);
  };
  if (typeof value !== "object" || value === null) return fail("not an object");
  const r = value as Record<string, unknown>;
  const sets: Set<string>[] = [];
  for (const kind of ["passed", "failed", "skipped"] as const) {
    const list = r[`${kind}_tests`];
    const count = r[`${kind}_count`];
    if (!Array.isArray(list) || !list.every((n) => typeof n === "string")) {
      fail(`"${kind}_tests" is not a list of names`);
    }
    const set = new Set(list as string[]);
    if (count !== set.size) fail(`"${kind}_count" is ${count} but "${kind}_tests" has ${set.size}`);
    sets.push(set);
  }
  const [passed, failed, skipped] = sets as [Set<string>, Set<string>, Set<string>];
  for (
    const [a, b, what] of [
      [passed, failed, "passed and failed"],
      [passed, skipped, "passed and skipped"],
      [failed, skipped, "failed and skipped"],
    ] as const
  ) {
    for (const name of a) if (b.has(name)) fail(`test "${name}" is both ${what}`);
  }
  return resultFromSets(passed, failed, skipped);
}

/**
 * A parsed fix log as a `TestResult`: PASSED and XFAIL pass, FAILED and ERROR fail, SKIPPED
 * skips (the SWE-bench ports' mapping); XPASS is not recorded, as in SWE-bench.
 */
export function testResultFromParsed(tests: ParsedTests): MsbTestResult {
  const passed = new Set<string>();
  const failed = new Set<string>();
  const skipped = new Set<string>();
  for (const [name, status] of tests) {
    if (status === "PASSED" || status === "XFAIL") passed.add(name);
    else if (status === "FAILED" || status === "ERROR") failed.add(name);
    else if (status === "SKIPPED") skipped.add(name);
  }
  return resultFromSets(passed, failed, skipped);
}

function resultFromSets(passed: Set<string>, failed: Set<string>, skipped: Set<string>) {
  return {
    passed_count: passed.size,
    failed_count: failed.size,
    skipped_count: skipped.size,
    passed_tests: [...passed],
    failed_tests: [...failed],
    skipped_tests: [...skipped],
  };
}

function statusOf(result: MsbTestResult): Map<string, MsbStatus> {
  const map = new Map<string, MsbStatus>();
  for (const n of result.passed_tests) map.set(n, "PASS");
  for (const n of result.failed_tests) map.set(n, "FAIL");
  for (const n of result.skipped_tests) map.set(n, "SKIP");
  return map;
}

/** Which `check()` condition failed, and on which test. */
interface FailedCheck {
  check: 1 | 2 | 3 | 4;
  name?: string;
}

/** The reference's `Report`: merges the three stages and runs `check()`. */
export function buildMsbReport(
  org: string,
  repo: string,
  number: number,
  run: MsbTestResult,
  test: MsbTestResult,
  fix: MsbTestResult,
): MsbReport {
  return checkReport(org, repo, number, run, test, fix).report;
}

function checkReport(
  org: string,
  repo: string,
  number: number,
  run: MsbTestResult,
  test: MsbTestResult,
  fix: MsbTestResult,
): { report: MsbReport; failed?: FailedCheck } {
  const [r, t, f] = [statusOf(run), statusOf(test), statusOf(fix)];
  const all = new Map<string, MsbTest>();
  for (const name of [...r.keys(), ...t.keys(), ...f.keys()]) {
    if (!all.has(name)) {
      all.set(name, {
        run: r.get(name) ?? "NONE",
        test: t.get(name) ?? "NONE",
        fix: f.get(name) ?? "NONE",
      });
    }
  }
  const report: MsbReport = {
    org,
    repo,
    number,
    valid: false,
    error_msg: "",
    fixed_tests: {},
    p2p_tests: {},
    f2p_tests: {},
    s2p_tests: {},
    n2p_tests: {},
    run_result: run,
    test_patch_result: test,
    fix_patch_result: fix,
  };
  const summary = `A brief summary is as follows: Test Result Summary: run=${counts(run)}, ` +
    `test=${counts(test)}, fix=${counts(fix)}`;
  const invalid = (check: FailedCheck["check"], message: string, name?: string) => {
    const at = name === undefined ? "" : `. \`${name}\`: ${testRepr(all.get(name)!)}`;
    report.error_msg = `${message} ${summary}${at}`;
    return { report, failed: name === undefined ? { check } : { check, name } };
  };

  if (fix.passed_count + fix.failed_count + fix.skipped_count === 0) {
    return invalid(1, MESSAGES[1]);
  }
  for (const [name, s] of all) {
    if (s.test === "PASS" && s.fix === "FAIL") return invalid(2, MESSAGES[2], name);
  }
  const fixed = [...all].filter(([, s]) => s.test !== "PASS" && s.fix === "PASS");
  if (fixed.length === 0) return invalid(3, MESSAGES[3]);
  // Filled before check 4, as the reference does: an anomalous report keeps its fixed tests.
  report.fixed_tests = Object.fromEntries(fixed);
  for (const [name, s] of all) {
    if ((s.test === "NONE" || s.test === "SKIP") && s.fix === "FAIL" && s.run === "PASS") {
      return invalid(4, MESSAGES[4], name);
    }
  }
  // Object.fromEntries, not assignment: a test may be called "__proto__" or "constructor".
  const fixedBy = (test: MsbStatus) =>
    Object.fromEntries([...all].filter(([, s]) => s.fix === "PASS" && s.test === test));
  report.valid = true;
  report.p2p_tests = fixedBy("PASS");
  report.f2p_tests = fixedBy("FAIL");
  report.s2p_tests = fixedBy("SKIP");
  report.n2p_tests = fixedBy("NONE");
  return { report };
}

/** The openings of the reference's four `error_msg`s. */
const MESSAGES = {
  1: "After applying the fix patch, no test results were captured when executing the test command.",
  2: "Before applying the fix patch, the test passed; however, after applying the fix patch, " +
    "the test failed.",
  3: "After applying the fix patch, no test cases transitioned from failed to passed.",
  4: "By comparing the test results before and after applying the fix patch, an anomalous " +
    "pattern was detected.",
} as const;

/** Decides one Multi-SWE-bench instance. */
export function decideMsb(row: MsbRow, fix: MsbFixOutcome): MsbVerdict {
  const id = msbId(row.org, row.repo, row.number);
  if (fix.kind === "error") return { id, outcome: "error", resolved: false, reason: fix.message };
  if (fix.kind === "infra_error") {
    const reason = `${fix.message}; not a verdict: evaluated again on the next run`;
    return { id, outcome: "error", resolved: false, reason, infra: true };
  }
  let run: MsbTestResult, test: MsbTestResult;
  try {
    run = checkTestResult(row.run_result, `${id} run_result`);
    test = checkTestResult(row.test_patch_result, `${id} test_patch_result`);
  } catch (error) {
    if (!(error instanceof MsbDataError)) throw error;
    return { id, outcome: "error", resolved: false, reason: error.message };
  }
  const fixResult = testResultFromParsed(fix.tests);
  const { report, failed } = checkReport(row.org, row.repo, row.number, run, test, fixResult);
  if (failed) {
    return {
      id,
      outcome: "unresolved",
      resolved: false,
      reason: checkReason(failed, report),
      report,
    };
  }
  const missing: string[] = [];
  for (const group of ["f2p_tests", "p2p_tests", "s2p_tests", "n2p_tests"] as const) {
    for (const name of Object.keys(row[group] ?? {})) {
      if (!Object.hasOwn(report[group], name)) {
        missing.push(`${group} ${name}: ${missingWhy(name, report)}`);
      }
    }
  }
  if (missing.length > 0) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : "";
    return { id, outcome: "unresolved", resolved: false, reason: missing[0] + more, report };
  }
  const expected = ["f2p_tests", "p2p_tests", "s2p_tests", "n2p_tests"]
    .map((g) => Object.keys(row[g as keyof MsbRow] ?? {}).length)
    .reduce((a, b) => a + b, 0);
  return {
    id,
    outcome: "resolved",
    resolved: true,
    reason: `all ${expected} expected tests pass in the fix log`,
    report,
  };
}

function missingWhy(name: string, report: MsbReport): string {
  const f = statusOf(report.fix_patch_result).get(name) ?? "NONE";
  if (f === "NONE") return "missing from log";
  if (f !== "PASS") return `fix=${f}`;
  const t = statusOf(report.test_patch_result).get(name) ?? "NONE";
  return `passes, but its stored test-stage status ${t} puts it in another group`;
}

function checkReason(failed: FailedCheck, report: MsbReport): string {
  switch (failed.check) {
    case 1:
      return "no test results were captured from the fix log";
    case 2:
      return `test ${failed.name} passed with the test patch but failed with the fix ` +
        "(test=PASS, fix=FAIL)";
    case 3:
      return `no test went from not passing to passing (fix: ${
        counts(report.fix_patch_result)
      } passed/failed/skipped)`;
    case 4:
      return `anomalous test ${failed.name}: passed at run, ${
        statusOf(report.test_patch_result).get(failed.name!) ?? "NONE"
      } with the test patch, failed with the fix`;
  }
}

function counts(r: MsbTestResult): string {
  return `(${r.passed_count}, ${r.failed_count}, ${r.skipped_count})`;
}

function testRepr(t: MsbTest): string {
  const e = (s: MsbStatus) => `<TestStatus.${s}: '${s}'>`;
  return `Test(run=${e(t.run)}, test=${e(t.test)}, fix=${e(t.fix)})`;
}
