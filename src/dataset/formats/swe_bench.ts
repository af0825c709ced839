/**
 * SWE-bench rows (`instance_id, repo, base_commit, problem_statement, patch, test_patch, version,
 * FAIL_TO_PASS, PASS_TO_PASS, ...`).
 *
 * @module
 */
import type { Instance } from "../instance.ts";
import { instanceId, optionalString, patchList, requiredString, testList } from "./_fields.ts";

/** Normalizes a SWE-bench row. */
export function fromSweBenchRow(row: Record<string, unknown>): Instance {
  return {
    instance_id: instanceId(row),
    format: "swe_bench",
    repo: requiredString(row, "repo"),
    base_commit: requiredString(row, "base_commit"),
    problem_statement: optionalString(row, "problem_statement"),
    hints_text: optionalString(row, "hints_text"),
    version: String(row.version ?? "") || "0.1",
    language: "python",
    FAIL_TO_PASS: testList(row, "FAIL_TO_PASS"),
    PASS_TO_PASS: testList(row, "PASS_TO_PASS"),
    patch: optionalString(row, "patch"),
    test_patch: patchList(row.test_patch, "test_patch"),
    row,
  };
}
