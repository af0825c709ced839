/**
 * Multi-SWE-bench family **JS5**: mocha's JSON reporter objects embedded in the log.
 *
 * - `mui/material-ui`: when the log has `Building new`, only the text from its first occurrence
 *   on is read; every `error Command failed with exit code N.` is deleted; names are
 *   `file:fullTitle`.
 * - `expressjs/express` (all PRs but 4212, 4852, 5555, 5841): lines (split at `\n` only) that are
 *   all `=` or start with `Writing ` are emptied; names are `fullTitle`.
 *
 * Then every `\r\n` and `\n` is removed (lines are joined with no separator) and the text is
 * scanned for `{`: the JSON value there is decoded the way Python's `raw_decode` does
 * (`py_json.ts`); on failure the scan moves on by one character. **Every** decoded object is read
 * as a mocha report the way the reference's dataclasses-json classes read it:
 *
 * - `stats` (an object or null) with `suites`, `tests`, `passes`, `pending`, `failures`,
 *   `duration` (each `int()`-able or null) and `start`, `end` (anything);
 * - lists `tests`, `pending`, `failures`, `passes` (null, or anything that iterates to nothing,
 *   passes the decoder) of tests: objects (or null) with `title`, `fullTitle` (anything),
 *   `currentRetry` (`int()`-able or null), `err` (an object or null), for mui also `file`, and
 *   when present `duration` (`int()`-able or null);
 * - a missing key or a value of the wrong shape fails the parse ({@linkcode LogParseError}, an
 *   instance error in the reference too), as does a null list or null test among `passes`,
 *   `failures`, `pending`, which the reference reads. Extra keys are ignored.
 *
 * Names are Python's `str()` of the values (`123`, `None`, `['a']` are names too). `failures`
 * fail, `pending` skip, `passes` pass; failed beats skipped beats passed.
 *
 * Checked against multi-swe-bench 1.1.2's `parse_log` by tests/peer/mswebench_parsers_test.ts.
 *
 * @module
 */
import { pyRe } from "../_common.ts";
import { LogParseError, type ParsedTests } from "../types.ts";
import { pyIntAccepts, PyJsonError, pyStr, type PyValue, rawDecode } from "./py_json.ts";

type Kind = "int" | "any" | "dict";
type Fields = readonly (readonly [key: string, kind: Kind, optional?: true])[];

const STATS: Fields = [
  ["suites", "int"],
  ["tests", "int"],
  ["passes", "int"],
  ["pending", "int"],
  ["failures", "int"],
  ["start", "any"],
  ["end", "any"],
  ["duration", "int"],
];
const TEST: Fields = [
  ["title", "any"],
  ["fullTitle", "any"],
  ["currentRetry", "int"],
  ["err", "dict"],
  ["duration", "int", true],
  ["speed", "any", true],
];
const MUI_TEST: Fields = [...TEST, ["file", "any"]];
const LISTS = ["tests", "pending", "failures", "passes"] as const;

type Test = Map<string, PyValue>;
type Naming = (test: Test) => string;

class BadReport extends Error {}

function parseReports(text: string, testFields: Fields, naming: Naming): ParsedTests {
  const joined = text.replaceAll("\r\n", "").replaceAll("\n", "");
  const passed = new Set<string>();
  const failed = new Set<string>();
  const skipped = new Set<string>();
  let pos = 0;
  for (;;) {
    const start = joined.indexOf("{", pos);
    if (start === -1) break;
    let decoded: { value: PyValue; end: number };
    try {
      decoded = rawDecode(joined, start);
    } catch (error) {
      if (error instanceof RangeError) {
        // Python's decoder raises RecursionError, which is no ValueError: the parse fails.
        throw new LogParseError("Cannot read the mocha JSON report in the log: nested too deep");
      }
      if (!(error instanceof PyJsonError)) throw error;
      pos = start + 1;
      continue;
    }
    pos = decoded.end;
    try {
      const report = readReport(decoded.value as Map<string, PyValue>, testFields);
      for (const t of report.passes) passed.add(naming(t));
      for (const t of report.failures) failed.add(naming(t));
      for (const t of report.pending) skipped.add(naming(t));
    } catch (error) {
      if (!(error instanceof BadReport)) throw error;
      throw new LogParseError(`Cannot read the mocha JSON report in the log: ${error.message}`);
    }
  }
  const out: ParsedTests = new Map();
  for (const name of failed) out.set(name, "FAILED");
  for (const name of skipped) if (!out.has(name)) out.set(name, "SKIPPED");
  for (const name of passed) if (!out.has(name)) out.set(name, "PASSED");
  return out;
}

function readReport(obj: Map<string, PyValue>, testFields: Fields) {
  const stats = need(obj, "stats");
  if (stats !== null) readFields(asObject(stats, "stats"), STATS, "stats");
  const lists = {} as Record<(typeof LISTS)[number], (Test | null)[] | null>;
  for (const key of LISTS) {
    const value = need(obj, key);
    let items: (Test | null)[] | null;
    if (value === null) items = null;
    else if (Array.isArray(value)) {
      items = value.map((t, i) => t === null ? null : asObject(t, `${key}[${i}]`));
    } else if ((value instanceof Map && value.size === 0) || value === "") items = [];
    else throw new BadReport(`"${key}" is not a list`);
    for (const [i, test] of (items ?? []).entries()) {
      if (test !== null) readFields(test, testFields, `${key}[${i}]`);
    }
    lists[key] = items;
  }
  const read = (key: "passes" | "failures" | "pending"): Test[] => {
    const items = lists[key];
    if (items === null) throw new BadReport(`"${key}" is null`);
    return items.map((t, i) => {
      if (t === null) throw new BadReport(`"${key}[${i}]" is null`);
      return t;
    });
  };
  return { passes: read("passes"), failures: read("failures"), pending: read("pending") };
}

function need(obj: Map<string, PyValue>, key: string): PyValue {
  if (!obj.has(key)) throw new BadReport(`missing key "${key}"`);
  return obj.get(key)!;
}

function asObject(value: PyValue, where: string): Map<string, PyValue> {
  if (!(value instanceof Map)) throw new BadReport(`"${where}" is not an object`);
  return value;
}

function readFields(obj: Map<string, PyValue>, fields: Fields, where: string): void {
  for (const [key, kind, optional] of fields) {
    if (!obj.has(key)) {
      if (optional) continue;
      throw new BadReport(`missing key "${where}.${key}"`);
    }
    const value = obj.get(key)!;
    if (kind === "int" && !pyIntAccepts(value)) {
      throw new BadReport(`"${where}.${key}" is not an integer`);
    }
    if (kind === "dict" && value !== null && !(value instanceof Map)) {
      throw new BadReport(`"${where}.${key}" is not an object`);
    }
  }
}

const MUI_EXIT = pyRe(String.raw`error Command failed with exit code \d+\.`, "g");

/** JS5 for mui/material-ui: `file:fullTitle`. */
export function parseMochaJsonMui(log: string): ParsedTests {
  const cut = log.indexOf("Building new");
  const text = (cut === -1 ? log : log.slice(cut)).replace(MUI_EXIT, "");
  return parseReports(
    text,
    MUI_TEST,
    (t) => `${pyStr(t.get("file")!)}:${pyStr(t.get("fullTitle")!)}`,
  );
}

/** JS5 for expressjs/express: `fullTitle`. */
export function parseMochaJsonExpress(log: string): ParsedTests {
  // `re.sub(r"^(=+|Writing .*)$", "", log, flags=re.MULTILINE)`: Python's lines end at `\n`
  // only, and its `.` takes a `\r`.
  const text = log.split("\n").map((line) =>
    /^=+$/.test(line) || line.startsWith("Writing ") ? "" : line
  ).join("\n");
  return parseReports(text, TEST, (t) => pyStr(t.get("fullTitle")!));
}
