/**
 * Helpers shared by the log parsers: ANSI stripping and the Python string semantics the reference
 * parsers rely on (`str.splitlines()`, `str.strip()`, `int()`, and `re`'s Unicode-aware `\w`, `\d`,
 * `\s`, `.` and `$`).
 *
 * @module
 */
import { LogParseError, type ParsedTests, type TestStatus } from "./types.ts";

/**
 * Characters Python's `str.isspace()` accepts. JS `\s` differs: it has U+FEFF and lacks
 * U+001C–U+001F and U+0085.
 */
export const PY_WS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, "g");
// deno-lint-ignore no-control-regex
const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** ANSI escape sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL/ST`), two-byte escapes. */
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Removes ANSI colour and cursor escape sequences. */
export function stripAnsi(text: string): string {
  return text.includes("\x1b") ? text.replace(ANSI, "") : text;
}

/** Python's `str.splitlines()`: splits on every Unicode line break, lone `\r` included. */
export function pySplitlines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(PY_LINE_BREAK);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * What Python's text-mode `open(path).read()` returns for a file holding `text`: universal
 * newlines turn `\r\n` and a lone `\r` into `\n` (nothing else).
 */
export function pyReadText(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, "");
}

const PY_WORD = "\\p{L}\\p{N}_";
const PY_DIGIT = "\\p{Nd}";

/**
 * Compiles a regular expression written in Python's `re` syntax (the subset the reference parsers
 * use) with Python's meaning for `str` patterns, which is Unicode-aware:
 *
 * - `\w` is `[\p{L}\p{N}_]` (Python: `str.isalnum()` or `_`), `\d` is `\p{Nd}` (any decimal
 *   digit: `٣` too), `\s` is Python's whitespace (`str.isspace()`), and their negations;
 * - `.` matches anything but `\n` (a lone `\r` included);
 * - `$` matches at the end or before a final `\n`.
 *
 * The result has the `u` flag (plus `flags`). `\W`, `\D` and `\S` inside a `[...]` class, and
 * `\b`, `\B`, `\A`, `\Z`, are not translated: they throw, so a new pattern cannot silently get
 * JavaScript's meaning.
 */
export function pyRe(source: string, flags = ""): RegExp {
  if (flags.includes("m")) throw new SyntaxError("pyRe: flag m is not translated");
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      const n = source[++i];
      if (n === undefined) throw new SyntaxError(`pyRe: trailing backslash in ${source}`);
      const negated = n === "W" || n === "D" || n === "S";
      if (negated && inClass) throw new SyntaxError(`pyRe: \\${n} inside [...] in ${source}`);
      if ("bBAZ".includes(n)) throw new SyntaxError(`pyRe: \\${n} is not translated (${source})`);
      if (n === "w") out += inClass ? PY_WORD : `[${PY_WORD}]`;
      else if (n === "W") out += `[^${PY_WORD}]`;
      else if (n === "d") out += PY_DIGIT;
      else if (n === "D") out += "\\P{Nd}";
      else if (n === "s") out += inClass ? PY_WS : `[${PY_WS}]`;
      else if (n === "S") out += `[^${PY_WS}]`;
      else out += `\\${n}`;
    } else if (inClass) {
      if (c === "]") inClass = false;
      out += c;
    } else if (c === "[") {
      inClass = true;
      out += c;
      if (source[i + 1] === "^") out += source[++i];
      if (source[i + 1] === "]") out += `\\${source[++i]}`;
    } else if (c === ".") out += "[^\\n]";
    else if (c === "$") out += "(?=\\n?$)";
    else out += c;
  }
  return new RegExp(out, flags.includes("u") ? flags : flags + "u");
}

/**
 * Python's `int()` of a string of decimal digits (`\d+`): any Unicode decimal digit counts (`٣`
 * is 3), exactly, as a bigint.
 */
export function pyInt(digits: string): bigint {
  let n = 0n;
  for (const ch of digits) n = n * 10n + BigInt(digitValue(ch.codePointAt(0)!));
  return n;
}

const ND = /^\p{Nd}$/u;

/**
 * The value of a decimal digit. Unicode encodes every `Nd` digit in runs of ten in ascending
 * order (0–9), so it is the distance from the start of the digit's run, modulo 10.
 */
function digitValue(cp: number): number {
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  if (!ND.test(String.fromCodePoint(cp))) throw new RangeError(`not a digit: U+${cp.toString(16)}`);
  let start = cp;
  while (ND.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/**
 * The three result sets of a Multi-SWE-bench `TestResult`. Its constructor rejects a name that is
 * in two sets; {@linkcode TripleSets.toMap} does the same, with a {@linkcode LogParseError}.
 */
export class TripleSets {
  /** Names that passed. */
  readonly passed: Set<string> = new Set();
  /** Names that failed. */
  readonly failed: Set<string> = new Set();
  /** Names that were skipped. */
  readonly skipped: Set<string> = new Set();

  /** The sets as one status map; throws when a name is in two sets. */
  toMap(): ParsedTests {
    const out: ParsedTests = new Map();
    const add = (names: Set<string>, status: TestStatus, label: string) => {
      for (const name of names) {
        const old = out.get(name);
        if (old !== undefined) {
          throw new LogParseError(
            `Cannot accept the parsed log: test "${name}" is both ${describe(old)} and ${label}`,
          );
        }
        out.set(name, status);
      }
    };
    add(this.passed, "PASSED", "passed");
    add(this.failed, "FAILED", "failed");
    add(this.skipped, "SKIPPED", "skipped");
    return out;
  }
}

function describe(status: TestStatus): string {
  return status === "PASSED" ? "passed" : status === "FAILED" ? "failed" : "skipped";
}

/** One regular expression per outcome; group 1 is the test name. */
export interface LinePatterns {
  passed?: RegExp;
  failed?: RegExp;
  skipped?: RegExp;
}

/**
 * The reference's simplest parser shape: every stripped line is tried against each pattern, and a
 * match adds its group 1 to that outcome's set.
 */
export function parseLinesByPattern(log: string, patterns: LinePatterns): ParsedTests {
  const sets = new TripleSets();
  for (const raw of pySplitlines(log)) {
    const line = pyStrip(raw);
    if (line === "") continue;
    for (const outcome of ["passed", "failed", "skipped"] as const) {
      const match = patterns[outcome]?.exec(line);
      if (match) sets[outcome].add(match[1]!);
    }
  }
  return sets.toMap();
}
