/**
 * Checks of the values `velora collect`, the `collect` phase and `velora derive` share. Each
 * `*Problem` function returns why a value cannot be used (or undefined); the phase schema turns
 * them into issues, {@linkcode checkRowFlags} into one-line {@linkcode UsageError}s.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { resolveParser } from "../evaluate/parsers/mod.ts";
import { unknownPlaceholders } from "../images/aliases.ts";
import { globToRegExp } from "./glob.ts";

/** Why `text` is not `owner/name`, or undefined. */
export function repoProblem(text: string): string | undefined {
  return /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(text) ? undefined : "expected <owner>/<repo>";
}

/**
 * A date: an ISO date or date-time, or undefined when `text` is neither. A bare date ends the day
 * when `endOfDay` (so an `until` of `2024-05-31` includes the 31st).
 */
export function toDate(text: string, endOfDay: boolean): Date | undefined {
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const date = new Date(bare ? `${text}T${endOfDay ? "23:59:59.999" : "00:00:00"}Z` : text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** What a date that cannot be read is told. */
export const DATE_PROBLEM = "expected a date like 2024-05-31";

/** Pull request numbers from `--prs` values (already split at commas; `#12` is 12). */
export function parsePrs(values: string[]): number[] {
  return values.map((value) => {
    const n = Number(value.replace(/^#/, ""));
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new UsageError(`Cannot use --prs "${value}": expected pull request numbers`);
    }
    return n;
  });
}

/** Why a test glob cannot be used, or undefined. */
export function globProblem(glob: string): string | undefined {
  try {
    globToRegExp(glob);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Why an image template cannot be used, or undefined. */
export function imageProblem(template: string): string | undefined {
  const unknown = unknownPlaceholders(template);
  return unknown.length === 0
    ? undefined
    : `unknown placeholder {${unknown[0]}} (use {instance_id}, {id}, {org}, {repo} or {number})`;
}

/** Why a test output parser name cannot be used, or undefined. */
export function parserProblem(name: string): string | undefined {
  try {
    resolveParser(name);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Checks the row-field flags of `velora derive`; throws a usage error for a bad one. */
export function checkRowFlags(
  flags: { image?: string; testOutputParser?: string; testGlob?: string[] },
): void {
  for (const glob of flags.testGlob ?? []) {
    const problem = globProblem(glob);
    if (problem) throw new UsageError(`Cannot use --test-glob "${glob}": ${problem}`);
  }
  const image = flags.image && imageProblem(flags.image);
  if (image) throw new UsageError(`Cannot use --image "${flags.image}": ${image}`);
  const parser = flags.testOutputParser && parserProblem(flags.testOutputParser);
  if (parser) throw new UsageError(parser);
}
