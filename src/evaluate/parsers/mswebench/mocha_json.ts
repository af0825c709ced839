/**
 * Multi-SWE-bench family **JS5**: mocha's JSON reporter objects embedded in the log.
 *
 * - `mui/material-ui`: the log is cut at the first `Building new`, and every
 *   `error Command failed with exit code N.` is deleted; names are `file:fullTitle`.
 * - `expressjs/express` (all PRs but 4212, 4852, 5555, 5841): lines matching `^(=+|Writing .*)$`
 *   are deleted; names are `fullTitle`.
 *
 * Then every `\r\n` and `\n` is removed (lines are joined with no separator) and the text is
 * scanned for `{`: each complete JSON object found there is decoded (on failure the scan moves on
 * by one character). **Every** decoded object must be a mocha report — `stats` with `suites`,
 * `tests`, `passes`, `pending`, `failures`, `start`, `end`, `duration`, and the lists `tests`,
 * `pending`, `failures`, `passes` of `{title, fullTitle, currentRetry, err}` — or the parse fails
 * ({@linkcode LogParseError}, an instance error in the reference too). `failures` fail, `pending`
 * skip, `passes` pass; failed beats skipped beats passed.
 *
 * Written from a description of the Multi-SWE-bench harness; its source was not readable here,
 * so the key set is the one that description lists (tests/evaluate/mswebench_parsers_test.ts).
 *
 * @module
 */
import { LogParseError, type ParsedTests } from "../types.ts";

const STATS_KEYS = ["suites", "tests", "passes", "pending", "failures", "start", "end", "duration"];
const LIST_KEYS = ["tests", "pending", "failures", "passes"] as const;
const TEST_KEYS = ["title", "fullTitle", "currentRetry", "err"];

type Naming = (test: Record<string, unknown>) => string;

function parseReports(text: string, naming: Naming): ParsedTests {
  const joined = text.replaceAll("\r\n", "").replaceAll("\n", "");
  const passed = new Set<string>();
  const failed = new Set<string>();
  const skipped = new Set<string>();
  let i = 0;
  while (true) {
    const start = joined.indexOf("{", i);
    if (start === -1) break;
    const end = objectEnd(joined, start);
    let value: unknown;
    if (end !== -1) {
      try {
        value = JSON.parse(joined.slice(start, end));
      } catch {
        value = undefined;
      }
    }
    if (value === undefined) {
      i = start + 1;
      continue;
    }
    const report = checkReport(value);
    for (const t of report.passes) passed.add(naming(t));
    for (const t of report.failures) failed.add(naming(t));
    for (const t of report.pending) skipped.add(naming(t));
    i = end;
  }
  const out: ParsedTests = new Map();
  for (const name of failed) out.set(name, "FAILED");
  for (const name of skipped) if (!out.has(name)) out.set(name, "SKIPPED");
  for (const name of passed) if (!out.has(name)) out.set(name, "PASSED");
  return out;
}

/** The index just after the object that opens at `start`, or -1 when it never closes. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

interface Report {
  passes: Record<string, unknown>[];
  failures: Record<string, unknown>[];
  pending: Record<string, unknown>[];
}

function checkReport(value: unknown): Report {
  const fail = (what: string): never => {
    throw new LogParseError(`Cannot read the mocha JSON report in the log: ${what}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("not an object");
  const obj = value as Record<string, unknown>;
  const stats = obj.stats;
  if (typeof stats !== "object" || stats === null) fail('missing key "stats"');
  for (const key of STATS_KEYS) {
    if (!(key in (stats as object))) fail(`missing key "stats.${key}"`);
  }
  const lists: Partial<Record<(typeof LIST_KEYS)[number], Record<string, unknown>[]>> = {};
  for (const key of LIST_KEYS) {
    const list = obj[key];
    if (!Array.isArray(list)) fail(`missing list "${key}"`);
    for (const test of list as unknown[]) {
      if (typeof test !== "object" || test === null) fail(`a "${key}" entry is not an object`);
      for (const k of TEST_KEYS) {
        if (!(k in (test as object))) fail(`a "${key}" entry lacks "${k}"`);
      }
    }
    lists[key] = list as Record<string, unknown>[];
  }
  return { passes: lists.passes!, failures: lists.failures!, pending: lists.pending! };
}

function field(test: Record<string, unknown>, key: string): string {
  const value = test[key];
  if (typeof value !== "string") {
    throw new LogParseError(`Cannot read the mocha JSON report in the log: a test lacks "${key}"`);
  }
  return value;
}

/** JS5 for mui/material-ui: `file:fullTitle`. */
export function parseMochaJsonMui(log: string): ParsedTests {
  const cut = log.indexOf("Building new");
  const text = (cut === -1 ? log : log.slice(0, cut)).replace(
    /error Command failed with exit code \d+\./g,
    "",
  );
  return parseReports(text, (t) => `${field(t, "file")}:${field(t, "fullTitle")}`);
}

/** JS5 for expressjs/express: `fullTitle`. */
export function parseMochaJsonExpress(log: string): ParsedTests {
  const text = log.replace(/^(=+|Writing .*)$/gm, "");
  return parseReports(text, (t) => field(t, "fullTitle"));
}
