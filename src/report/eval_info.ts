/**
 * What the evaluation said about one instance, from whichever record there is, best first:
 * velora's `eval_outputs/<id>/velora_eval.json` (ignored when its patch hash no longer matches
 * the row's patch), the SWE-bench / OpenHands `eval_outputs/<id>/report.json`, or the row's own
 * `report` field (OpenHands writes flags only; velora adds `category` and `reason`).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { isCategory, type VeloraCategory } from "../evaluate/verdict.ts";
import { objectOf, type OutputRow, rowPatch } from "./row.ts";

/** One expected test and its status (`PASSED`, `FAILED`, `MISSING`, ... or `FAIL`/`PASS`). */
export interface TestView {
  name: string;
  status: string;
}

/** The test groups a verdict reports. */
export type TestGroup = "FAIL_TO_PASS" | "PASS_TO_PASS" | "FAIL_TO_FAIL" | "PASS_TO_FAIL";

/** The evaluation of one instance, as the report shows it. */
export interface EvalInfo {
  category: VeloraCategory;
  resolved: boolean;
  /** One line; "" when the record has none. */
  reason: string;
  /** Expected tests by group (groups the record lacks are empty). */
  tests: Record<TestGroup, TestView[]>;
}

const GROUPS: readonly TestGroup[] = [
  "FAIL_TO_PASS",
  "PASS_TO_PASS",
  "FAIL_TO_FAIL",
  "PASS_TO_FAIL",
];

function noTests(): Record<TestGroup, TestView[]> {
  return { FAIL_TO_PASS: [], PASS_TO_PASS: [], FAIL_TO_FAIL: [], PASS_TO_FAIL: [] };
}

/** The SHA-256 velora's evaluate phase stores for a patch (`\0none` stands for no patch). */
export function patchHash(patch: string | null): string {
  return createHash("sha256").update(patch ?? "\0none").digest("hex");
}

/** Reads an instance's evaluation from `evalDir` (`<output dir>/eval_outputs`), else the row. */
export async function readEvalInfo(
  evalDir: string,
  row: OutputRow,
  id: string,
): Promise<EvalInfo | undefined> {
  const dir = join(evalDir, id);
  const stored = await readJson(join(dir, "velora_eval.json"));
  if (stored !== undefined) {
    const info = fromVeloraEval(stored, patchHash(rowPatch(row)));
    if (info) return info;
  }
  const report = await readJson(join(dir, "report.json"));
  return (report !== undefined ? fromInstanceReport(report, id) : undefined) ??
    fromRowReport(row.report);
}

/** `velora_eval.json` (velora or Multi-SWE-bench mode); undefined when stale or unreadable. */
export function fromVeloraEval(value: unknown, hash: string): EvalInfo | undefined {
  const stored = objectOf(value);
  if (stored.patch_sha256 !== hash) return undefined;
  const verdict = objectOf(stored.verdict);
  if (stored.mode === "multi_swe_bench") return fromMsbVerdict(verdict);
  if (!isCategory(verdict.category)) return undefined;
  const tests = noTests();
  const details = objectOf(verdict.details);
  for (const group of ["FAIL_TO_PASS", "PASS_TO_PASS"] as const) {
    const list = Array.isArray(details[group]) ? details[group] : [];
    tests[group] = list.map((d) => {
      const item = objectOf(d);
      return { name: String(item.name ?? ""), status: String(item.status ?? "") };
    });
  }
  const graded = objectOf(verdict.tests);
  for (const group of ["FAIL_TO_FAIL", "PASS_TO_FAIL"] as const) {
    tests[group] = gradedTests(graded[group]);
  }
  return {
    category: verdict.category,
    resolved: verdict.category === "resolved",
    reason: String(verdict.reason ?? ""),
    tests,
  };
}

function fromMsbVerdict(verdict: Record<string, unknown>): EvalInfo | undefined {
  const outcome = verdict.outcome;
  if (outcome !== "resolved" && outcome !== "unresolved" && outcome !== "error") return undefined;
  const report = objectOf(verdict.report);
  const tests = noTests();
  const pick = (key: string): TestView[] =>
    Object.entries(objectOf(report[key])).map(([name, t]) => ({
      name,
      status: String(objectOf(t).fix ?? ""),
    }));
  tests.FAIL_TO_PASS = pick("f2p_tests");
  tests.PASS_TO_PASS = pick("p2p_tests");
  return {
    category: outcome === "error"
      ? (verdict.infra === true ? "error_infra" : "error_eval")
      : outcome,
    resolved: outcome === "resolved",
    reason: String(verdict.reason ?? ""),
    tests,
  };
}

/** A SWE-bench / OpenHands per-instance `report.json`: `{ "<id>": { resolved, tests_status } }`. */
export function fromInstanceReport(value: unknown, id: string): EvalInfo | undefined {
  const body = objectOf(objectOf(value)[id]);
  if (typeof body.resolved !== "boolean") return undefined;
  let category: VeloraCategory;
  if (isCategory(body.category)) category = body.category;
  else if (body.resolved) category = "resolved";
  else if (body.patch_exists === false || body.patch_is_None === true) category = "empty_patch";
  else if (body.patch_successfully_applied === false) category = "failed_apply_patch";
  else category = "unresolved";
  const status = objectOf(body.tests_status);
  const tests = noTests();
  for (const group of GROUPS) tests[group] = gradedTests(status[group]);
  return {
    category,
    resolved: category === "resolved",
    reason: typeof body.reason === "string" ? body.reason : "",
    tests,
  };
}

/** The `report` field of a row (velora's, with `category`, or OpenHands' flags). */
export function fromRowReport(value: unknown): EvalInfo | undefined {
  const report = objectOf(value);
  if (typeof report.resolved !== "boolean") return undefined;
  let category: VeloraCategory;
  if (isCategory(report.category)) category = report.category;
  else if (report.resolved) category = "resolved";
  else if (report.empty_generation) category = "empty_patch";
  else if (report.failed_apply_patch) category = "failed_apply_patch";
  else if (report.test_timeout) category = "test_timeout";
  else if (report.error_eval) category = "error_eval";
  else category = "unresolved";
  return {
    category,
    resolved: category === "resolved",
    reason: typeof report.reason === "string" ? report.reason : "",
    tests: noTests(),
  };
}

function gradedTests(value: unknown): TestView[] {
  const graded = objectOf(value);
  const names = (key: string) => (Array.isArray(graded[key]) ? graded[key] : []).map(String);
  return [
    ...names("success").map((name) => ({ name, status: "PASSED" })),
    ...names("failure").map((name) => ({ name, status: "FAILED" })),
  ];
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
