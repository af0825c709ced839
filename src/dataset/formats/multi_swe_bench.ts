/**
 * Multi-SWE-bench rows (`org, repo, number, base{sha}, resolved_issues[], fix_patch, test_patch,
 * f2p_tests, ...`), converted the way OpenHands' `data_change.py` does.
 *
 * @module
 */
import type { Instance } from "../instance.ts";
import { instanceId, optionalString, requiredString, RowError } from "./_fields.ts";

/** True when the row is a Multi-SWE-bench row. */
export function isMultiSweBenchRow(row: Record<string, unknown>): boolean {
  return "org" in row && "number" in row && ("fix_patch" in row || "resolved_issues" in row);
}

/** Normalizes a Multi-SWE-bench row. */
export function fromMultiSweBenchRow(row: Record<string, unknown>): Instance {
  const org = requiredString(row, "org");
  // `repo` is the bare name in Multi-SWE-bench rows; an infer row's `instance` already holds
  // "org/name" (OpenHands' converted form), so reading that back must not prefix it again.
  const name = requiredString(row, "repo").replace(new RegExp(`^${escapeRegExp(org)}/`), "");
  const number = Number(row.number);
  if (!Number.isInteger(number) || number <= 0) {
    throw new RowError(`"number" must be a pull request number, got ${JSON.stringify(row.number)}`);
  }
  const base = row.base as { sha?: unknown } | undefined;
  if (typeof base?.sha !== "string" || base.sha === "") throw new RowError('"base.sha" is missing');
  const issues = Array.isArray(row.resolved_issues) ? row.resolved_issues : [];
  const first = issues[0] as { title?: unknown; body?: unknown } | undefined;
  const statement = first ? `${first.title ?? ""}\n${first.body ?? ""}` : "";
  const language = optionalString(row, "lang").toLowerCase();
  return {
    instance_id: instanceId(row, false) || `${org}__${name}-${number}`,
    format: "multi_swe_bench",
    repo: `${org}/${name}`,
    number,
    base_commit: base.sha,
    problem_statement: statement,
    hints_text: optionalString(row, "hints"),
    version: "0.1",
    ...(language ? { language } : {}),
    FAIL_TO_PASS: Object.keys(objectOr(row.f2p_tests)),
    PASS_TO_PASS: Object.keys(objectOr(row.p2p_tests)),
    patch: optionalString(row, "fix_patch"),
    test_patch: optionalString(row, "test_patch") ? [optionalString(row, "test_patch")] : [],
    row,
  };
}

function objectOr(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : {};
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
