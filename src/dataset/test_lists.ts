/**
 * `FAIL_TO_PASS` / `PASS_TO_PASS` values as rows carry them, turned into a list of names.
 *
 * Accepted: a real JSON array of strings; a JSON-encoded string of one
 * (`"[\"a\", \"b\"]"`, the workflow rows); a Python-literal string of one (`"['a', 'b']"`, legacy
 * rows); an empty string, `null` or a missing field (no tests). Anything else is a
 * {@linkcode TestListError} — never the old evaluator's silent empty list. Duplicates are dropped
 * (first one kept); names are otherwise kept byte for byte.
 *
 * @module
 */
import { VeloraError } from "../errors.ts";

/** A test list that is neither a list of strings nor a string encoding one. */
export class TestListError extends VeloraError {}

/** Normalises one test-list field of a row; `field` names it in errors. */
export function normalizeTestList(value: unknown, field = "FAIL_TO_PASS"): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return unique(checkStrings(value, field));
  if (typeof value !== "string") {
    throw new TestListError(
      `Cannot read ${field}: expected a list of test names, got ${kind(value)}`,
    );
  }
  const text = value.trim();
  if (text === "") return [];
  if (!text.startsWith("[") && !text.startsWith("(")) {
    throw new TestListError(
      `Cannot read ${field} ${preview(text)}: expected a JSON or Python list of test names`,
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return unique(checkStrings(parsed, field));
  } catch {
    // not JSON: try a Python literal
  }
  try {
    return unique(parsePythonStringList(text));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new TestListError(`Cannot read ${field} ${preview(text)}: ${detail}`, { cause: error });
  }
}

/**
 * Parses a Python literal list (or tuple) of string literals, as `ast.literal_eval` would:
 * single, double and triple quotes, `r`/`u` prefixes, the usual escapes (`\n`, `\t`, `\\`, `\'`,
 * octal, `\xhh`, `\uXXXX`, `\UXXXXXXXX`), adjacent literals concatenated, a trailing comma.
 */
export function parsePythonStringList(text: string): string[] {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at offset ${i}`);
  };
  skipSpace();
  const open = text[i];
  if (open !== "[" && open !== "(") fail("expected [ or (");
  const close = open === "[" ? "]" : ")";
  i++;
  const out: string[] = [];
  skipSpace();
  while (text[i] !== close) {
    let value = "";
    let count = 0;
    while (i < text.length && /[rRuU'"]/.test(text[i]!)) {
      const [s, next] = readPythonString(text, i);
      value += s;
      i = next;
      count++;
      skipSpace();
    }
    if (count === 0) fail("expected a string literal");
    out.push(value);
    if (text[i] === ",") {
      i++;
      skipSpace();
    } else if (text[i] !== close) fail(`expected "," or "${close}"`);
  }
  i++;
  skipSpace();
  if (i !== text.length) fail("unexpected text after the list");
  return out;
}

function readPythonString(text: string, start: number): [string, number] {
  let i = start;
  let raw = false;
  while (/[rRuU]/.test(text[i] ?? "")) {
    if (/[rR]/.test(text[i]!)) raw = true;
    i++;
  }
  const quote = text[i];
  if (quote !== "'" && quote !== '"') throw new Error(`expected a quote at offset ${i}`);
  const triple = text.startsWith(quote.repeat(3), i);
  const delim = triple ? quote.repeat(3) : quote;
  i += delim.length;
  let out = "";
  while (true) {
    if (i >= text.length) throw new Error(`unterminated string starting at offset ${start}`);
    if (text.startsWith(delim, i)) return [out, i + delim.length];
    const c = text[i]!;
    if (!triple && c === "\n") throw new Error(`newline in string at offset ${i}`);
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) throw new Error(`unterminated string starting at offset ${start}`);
    if (raw) {
      out += c + next;
      i += 2;
      continue;
    }
    const [decoded, length] = escape(text, i + 1);
    out += decoded;
    i += 1 + length;
  }
}

const SIMPLE: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** Decodes the escape after a backslash at `i`: the text, and how many characters it used. */
function escape(text: string, i: number): [string, number] {
  const c = text[i]!;
  if (c in SIMPLE) return [SIMPLE[c]!, 1];
  const octal = /^[0-7]{1,3}/.exec(text.slice(i, i + 3));
  if (octal) return [String.fromCodePoint(parseInt(octal[0], 8)), octal[0].length];
  const width = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
  if (width > 0) {
    const hex = text.slice(i + 1, i + 1 + width);
    if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) {
      throw new Error(`bad \\${c} escape at offset ${i}`);
    }
    return [String.fromCodePoint(parseInt(hex, 16)), 1 + width];
  }
  return ["\\" + c, 1];
}

function checkStrings(values: unknown[], field: string): string[] {
  values.forEach((v, index) => {
    if (typeof v !== "string") {
      throw new TestListError(`Cannot read ${field}: item ${index} is ${kind(v)}, not a string`);
    }
  });
  return values as string[];
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
