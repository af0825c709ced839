/**
 * The outcome of one instance in a report: its evaluation category when it was evaluated,
 * `infer_error` when inference failed before the agent ran, `not_evaluated` otherwise. Pure.
 *
 * @module
 */
import { VELORA_CATEGORIES, type VeloraCategory } from "../evaluate/verdict.ts";
import type { EvalInfo } from "./eval_info.ts";
import { type OutputRow, rowError, rowHistory } from "./row.ts";

/** An instance's outcome. */
export type Outcome = VeloraCategory | "infer_error" | "not_evaluated";

/** Every outcome, in report order. */
export const OUTCOMES: readonly Outcome[] = [
  ...VELORA_CATEGORIES,
  "infer_error",
  "not_evaluated",
];

/** How each outcome reads in the report and the terminal. */
export const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  resolved: "Resolved",
  unresolved: "Unresolved",
  failed_apply_patch: "Failed to apply",
  empty_patch: "Empty patch",
  test_timeout: "Test timeout",
  error_eval: "Evaluation error",
  error_infra: "Infrastructure error",
  infer_error: "Inference error",
  not_evaluated: "Not evaluated",
};

/**
 * The outcome of a row: the evaluation's category when there is one; `infer_error` for a row
 * with an error and no history (the agent never ran); otherwise `not_evaluated`.
 */
export function outcomeOf(row: OutputRow, evaluation: EvalInfo | undefined): Outcome {
  if (evaluation) return evaluation.category;
  if (rowError(row) !== null && rowHistory(row).length === 0) return "infer_error";
  return "not_evaluated";
}
