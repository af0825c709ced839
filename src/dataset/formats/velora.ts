/**
 * Velora rows: SWE-bench fields plus `test_command`, `test_output_parser`, `image_storage_uri`.
 *
 * @module
 */
import type { Instance } from "../instance.ts";
import { instanceId, optionalString, patchList, requiredString, testList } from "./_fields.ts";

/** True when the row has Velora's own fields. */
export function isVeloraRow(row: Record<string, unknown>): boolean {
  return "test_command" in row || "test_output_parser" in row || "image_storage_uri" in row;
}

/** Normalizes a Velora row. */
export function fromVeloraRow(row: Record<string, unknown>): Instance {
  const optional = (key: string) => {
    const value = optionalString(row, key);
    return value === "" ? {} : { [key]: value };
  };
  const language = optionalString(row, "language").toLowerCase();
  return {
    instance_id: instanceId(row),
    format: "velora",
    repo: requiredString(row, "repo"),
    base_commit: requiredString(row, "base_commit"),
    problem_statement: optionalString(row, "problem_statement"),
    hints_text: optionalString(row, "hints_text"),
    version: optionalString(row, "version") || "0.1",
    ...(language ? { language } : {}),
    FAIL_TO_PASS: testList(row, "FAIL_TO_PASS"),
    PASS_TO_PASS: testList(row, "PASS_TO_PASS"),
    patch: patchList(row.patch, "patch").join("\n"),
    test_patch: patchList(row.test_patch, "test_patch"),
    ...optional("test_command"),
    ...optional("test_output_parser"),
    ...optional("image_storage_uri"),
    ...optional("repo_path"),
    row,
  };
}
