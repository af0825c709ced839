import { UsageError } from "../../errors.ts";
import { normalizeTestList } from "../test_lists.ts";

/** A bad field of a row (exit 2): the reader adds the file and line (a `ConfigError`). */
export class RowError extends UsageError {}

/**
 * The row's `instance_id`: a non-empty string. Unlike other fields a number is refused: ids name
 * folders and image tags, and `123` and `"123"` would silently be the same instance.
 */
export function instanceId(row: Record<string, unknown>, required = true): string {
  const value = row.instance_id;
  if (!required && (value === undefined || value === null || value === "")) return "";
  if (typeof value !== "string" || value === "") {
    throw new RowError(`"instance_id" must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** A required non-empty string field. */
export function requiredString(row: Record<string, unknown>, key: string): string {
  const value = row[key];
  if (typeof value === "number") return String(value);
  if (typeof value !== "string" || value === "") {
    throw new RowError(`"${key}" must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** An optional string field ("" when absent or null). */
export function optionalString(row: Record<string, unknown>, key: string): string {
  const value = row[key];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new RowError(`"${key}" must be a string, got ${describe(value)}`);
  }
  return value;
}

/** A FAIL_TO_PASS-style list: array, JSON-list string or Python-literal string. */
export function testList(row: Record<string, unknown>, key: string): string[] {
  try {
    return normalizeTestList(row[key], key);
  } catch (error) {
    throw new RowError((error as Error).message);
  }
}

/** One patch or several: a raw diff, a list, or a JSON-list string. */
export function patchList(value: unknown, key: string): string[] {
  if (value === undefined || value === null || value === "") return [];
  if (Array.isArray(value)) {
    if (!value.every((p) => typeof p === "string")) {
      throw new RowError(`"${key}" must be a diff or a list of diffs`);
    }
    return value.filter((p) => p !== "");
  }
  if (typeof value !== "string") throw new RowError(`"${key}" must be a diff or a list of diffs`);
  if (value.trimStart().startsWith("[")) {
    try {
      const parsed = JSON.parse(value);
      if (Array.isArray(parsed)) return patchList(parsed, key);
    } catch { /* a diff that starts with "[": keep it as text */ }
  }
  return [value];
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a table" : `${typeof value} ${JSON.stringify(value)}`;
}
