/**
 * Report builders: pure functions from verdicts to the JSON objects the evaluate phase writes.
 *
 * - `eval_outputs/<id>/report.json`: {@linkcode instanceReport}, SWE-bench / OpenHands shape;
 * - the `report` field of an `output.jsonl` row: {@linkcode rowReport}, OpenHands' flags;
 * - `eval_outputs/report.json`: {@linkcode aggregateReport}, SWE-bench's final report
 *   (schema 2) plus velora's categories;
 * - `eval_summary.json`: {@linkcode evalSummary}, Velora's summary over all instances;
 * - Multi-SWE-bench `final_report.json`: {@linkcode msbFinalReport}, ids `org/repo:pr-N`.
 *
 * The Multi-SWE-bench per-instance `report.json` is the `report` of an `MsbVerdict`
 * (`mswebench_rule.ts`). Id lists are sorted (numbers as numbers), so reports are reproducible
 * (the reference lists ids in thread-completion order).
 *
 * @module
 */
import type { MsbVerdict } from "./mswebench_rule.ts";
import { type Graded, VELORA_CATEGORIES, type VeloraCategory, type Verdict } from "./verdict.ts";

const ID_ORDER = new Intl.Collator("en", { numeric: true });

/** Ids in a stable order, numbers compared as numbers (`pr-9` before `pr-10`). */
function sortIds(ids: string[]): string[] {
  return ids.sort(ID_ORDER.compare);
}

/** The four `tests_status` groups. */
export interface TestsStatus {
  FAIL_TO_PASS: Graded;
  PASS_TO_PASS: Graded;
  FAIL_TO_FAIL: Graded;
  PASS_TO_FAIL: Graded;
}

/** The body of a per-instance SWE-bench `report.json`, plus velora's `category` and `reason`. */
export interface InstanceReportBody {
  patch_is_None: boolean;
  patch_exists: boolean;
  patch_successfully_applied: boolean;
  resolved: boolean;
  tests_status: TestsStatus;
  category: VeloraCategory;
  reason: string;
}

/** What the report needs to know about the patch besides the verdict. */
export interface PatchFacts {
  /** The model patch as found in the trajectory (`null`/`undefined` when the row has none). */
  patch: string | null | undefined;
  /** Whether it was applied (false when it was empty, failed, or never reached). */
  applied: boolean;
}

/** `eval_outputs/<id>/report.json`: `{ "<id>": { patch_is_None, …, tests_status } }`. */
export function instanceReport(
  verdict: Verdict,
  facts: PatchFacts,
): Record<string, InstanceReportBody> {
  const copy = (g: Graded): Graded => ({ success: [...g.success], failure: [...g.failure] });
  return {
    [verdict.instanceId]: {
      patch_is_None: facts.patch === null || facts.patch === undefined,
      patch_exists: typeof facts.patch === "string" && facts.patch.trim() !== "",
      patch_successfully_applied: facts.applied,
      resolved: verdict.resolved,
      tests_status: {
        FAIL_TO_PASS: copy(verdict.tests.FAIL_TO_PASS),
        PASS_TO_PASS: copy(verdict.tests.PASS_TO_PASS),
        FAIL_TO_FAIL: copy(verdict.tests.FAIL_TO_FAIL),
        PASS_TO_FAIL: copy(verdict.tests.PASS_TO_FAIL),
      },
      category: verdict.category,
      reason: verdict.reason,
    },
  };
}

/** The OpenHands `report` object added to an `output.jsonl` row after evaluation. */
export interface RowReport {
  empty_generation: boolean;
  resolved: boolean;
  failed_apply_patch: boolean;
  error_eval: boolean;
  test_timeout: boolean;
  category: VeloraCategory;
  reason: string;
}

/**
 * The `report` field for an `output.jsonl` row. OpenHands' flags have no infrastructure error:
 * `error_infra` sets `error_eval`, and `category` tells them apart.
 */
export function rowReport(verdict: Verdict): RowReport {
  return {
    empty_generation: verdict.category === "empty_patch",
    resolved: verdict.resolved,
    failed_apply_patch: verdict.category === "failed_apply_patch",
    error_eval: verdict.category === "error_eval" || verdict.category === "error_infra",
    test_timeout: verdict.category === "test_timeout",
    category: verdict.category,
    reason: verdict.reason,
  };
}

/** Options of {@linkcode aggregateReport}. */
export interface AggregateOptions {
  /** Dataset size (SWE-bench's `total_instances`); default: the number of verdicts. */
  totalInstances?: number;
  /** Selected instances that have no verdict (not evaluated); SWE-bench's `incomplete_ids`. */
  incompleteIds?: readonly string[];
}

/**
 * `eval_outputs/report.json` over all instances: SWE-bench's final report (`schema_version` 2)
 * with SWE-bench's meaning of its buckets — `unresolved` includes patches that did not apply,
 * `error` includes timeouts and infrastructure failures, `completed` = resolved + unresolved —
 * plus velora's own per-category lists (`*_ids` and `*_instances` for each category, under
 * `categories`).
 */
export function aggregateReport(verdicts: readonly Verdict[], options: AggregateOptions = {}) {
  const ids = (...cats: VeloraCategory[]) =>
    sortIds(verdicts.filter((v) => cats.includes(v.category)).map((v) => v.instanceId));
  const resolved = ids("resolved");
  const unresolved = ids("unresolved", "failed_apply_patch");
  const error = ids("error_eval", "test_timeout", "error_infra");
  const empty = ids("empty_patch");
  const completed = sortIds([...resolved, ...unresolved]);
  const incomplete = sortIds([...(options.incompleteIds ?? [])]);
  const submitted = sortIds(verdicts.map((v) => v.instanceId));
  const categories = Object.fromEntries(
    VELORA_CATEGORIES.map((c) => [c, { instances: ids(c).length, ids: ids(c) }]),
  ) as Record<VeloraCategory, { instances: number; ids: string[] }>;
  return {
    total_instances: options.totalInstances ?? verdicts.length + incomplete.length,
    submitted_instances: submitted.length,
    completed_instances: completed.length,
    resolved_instances: resolved.length,
    unresolved_instances: unresolved.length,
    empty_patch_instances: empty.length,
    error_instances: error.length,
    completed_ids: completed,
    incomplete_ids: incomplete,
    empty_patch_ids: empty,
    submitted_ids: submitted,
    resolved_ids: resolved,
    unresolved_ids: unresolved,
    error_ids: error,
    schema_version: 2,
    categories,
  };
}

/** One instance in `eval_summary.json`. */
export interface SummaryEntry {
  resolved: boolean;
  category: VeloraCategory;
  reason: string;
  tests_passed: number;
  tests_failed: number;
  tests_error: number;
  tests_skipped: number;
  f2p_success: number;
  f2p_total: number;
  p2p_success: number;
  p2p_total: number;
}

/**
 * `eval_summary.json` over all instances: the old evaluator's keys (`total_instances`,
 * `resolved_instances`, `unresolved_instances`, `error_instances`, `results.<id>` with
 * `tests_passed`, `tests_failed`, `f2p_*`, `p2p_*`) and the simple evaluator's `resolution_rate`,
 * with every category counted apart (they sum to `total_instances`). `tests_passed` counts
 * PASSED only (the old evaluator added SKIPPED and XFAIL to it, W14).
 */
export function evalSummary(verdicts: readonly Verdict[]) {
  const count = (c: VeloraCategory) => verdicts.filter((v) => v.category === c).length;
  const results: Record<string, SummaryEntry> = {};
  for (const v of [...verdicts].sort((a, b) => ID_ORDER.compare(a.instanceId, b.instanceId))) {
    results[v.instanceId] = {
      resolved: v.resolved,
      category: v.category,
      reason: v.reason,
      tests_passed: v.counts.PASSED,
      tests_failed: v.counts.FAILED,
      tests_error: v.counts.ERROR,
      tests_skipped: v.counts.SKIPPED,
      f2p_success: v.tests.FAIL_TO_PASS.success.length,
      f2p_total: v.details.FAIL_TO_PASS.length,
      p2p_success: v.tests.PASS_TO_PASS.success.length,
      p2p_total: v.details.PASS_TO_PASS.length,
    };
  }
  const total = verdicts.length;
  return {
    total_instances: total,
    resolved_instances: count("resolved"),
    unresolved_instances: count("unresolved"),
    failed_apply_patch_instances: count("failed_apply_patch"),
    empty_patch_instances: count("empty_patch"),
    test_timeout_instances: count("test_timeout"),
    error_instances: count("error_eval"),
    error_infra_instances: count("error_infra"),
    resolution_rate: total === 0 ? 0 : count("resolved") / total,
    results,
  };
}

/** Multi-SWE-bench `final_report.json` (`FinalReport`, in its key order). */
export interface MsbFinalReport {
  total_instances: number;
  submitted_instances: number;
  completed_instances: number;
  incomplete_instances: number;
  resolved_instances: number;
  unresolved_instances: number;
  empty_patch_instances: number;
  error_instances: number;
  submitted_ids: string[];
  completed_ids: string[];
  incomplete_ids: string[];
  resolved_ids: string[];
  unresolved_ids: string[];
  empty_patch_ids: string[];
  error_ids: string[];
}

/**
 * `final_report.json`: every verdict is submitted; completed = resolved + unresolved; incomplete
 * = error; `empty_patch` stays 0 / `[]` as in the reference (an empty patch is unresolved there).
 */
export function msbFinalReport(verdicts: readonly MsbVerdict[]): MsbFinalReport {
  const ids = (...outcomes: MsbVerdict["outcome"][]) =>
    sortIds(verdicts.filter((v) => outcomes.includes(v.outcome)).map((v) => v.id));
  const completed = ids("resolved", "unresolved");
  const error = ids("error");
  const submitted = sortIds(verdicts.map((v) => v.id));
  return {
    total_instances: submitted.length,
    submitted_instances: submitted.length,
    completed_instances: completed.length,
    incomplete_instances: error.length,
    resolved_instances: ids("resolved").length,
    unresolved_instances: ids("unresolved").length,
    empty_patch_instances: 0,
    error_instances: error.length,
    submitted_ids: submitted,
    completed_ids: completed,
    incomplete_ids: error,
    resolved_ids: ids("resolved"),
    unresolved_ids: ids("unresolved"),
    empty_patch_ids: [],
    error_ids: error,
  };
}
