/**
 * Python's `json` decoding and `str()` of the values it yields, for the mocha-JSON parsers whose
 * test names are `f"{test.fullTitle}"` of whatever the JSON held: `123`, `1.0`, `None`, `True`,
 * `[1, 'a']` and `{'k': 'v'}` are names too.
 *
 * {@linkcode rawDecode} is `json.JSONDecoder().raw_decode` (the C scanner): objects, arrays,
 * strings (strict: no raw control characters), ASCII numbers (ints exact, floats as IEEE
 * doubles), `true`/`false`/`null` and Python's extensions `NaN`, `Infinity`, `-Infinity`. Objects
 * keep Python's dict order (first position, last value for a repeated key).
 *
 * @module
 */
import { PY_WS } from "../_common.ts";

/** A Python int. */
export class PyInt {
  constructor(readonly value: bigint) {}
}

/** A Python float. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A decoded JSON value, with Python's int/float distinction. */
export type PyValue =
  | null
  | boolean
  | string
  | PyInt
  | PyFloat
  | PyValue[]
  | Map<string, PyValue>;

/** Not a JSON value at this position (Python's `JSONDecodeError`). */
export class PyJsonError extends Error {}

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Decodes the JSON value that starts exactly at `start`; its value and the index after it. */
export function rawDecode(text: string, start: number): { value: PyValue; end: number } {
  let i = start;
  const fail = (): never => {
    throw new PyJsonError(`Expecting value at ${i}`);
  };
  const skip = () => {
    while (i < text.length && WS.has(text[i]!)) i++;
  };
  const literal = (word: string, value: PyValue): PyValue => {
    if (!text.startsWith(word, i)) fail();
    i += word.length;
    return value;
  };
  const string = (): string => {
    i++; // the opening quote
    let out = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) fail();
      if (c === '"') {
        i++;
        return out;
      }
      if (c! < " ") fail();
      if (c !== "\\") {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      if (e === undefined) fail();
      if (e !== "u") {
        if (!(e! in ESCAPES)) fail();
        out += ESCAPES[e!];
        i += 2;
        continue;
      }
      const hex = text.slice(i + 2, i + 6);
      if (!HEX4.test(hex)) fail();
      let code = parseInt(hex, 16);
      i += 6;
      // A high surrogate followed by an escaped low one is one character, as in Python.
      if (code >= 0xd800 && code <= 0xdbff && text.startsWith("\\u", i)) {
        const low = text.slice(i + 2, i + 6);
        const next = HEX4.test(low) ? parseInt(low, 16) : -1;
        if (next >= 0xdc00 && next <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          i += 6;
        }
      }
      out += String.fromCodePoint(code);
    }
  };
  const value = (): PyValue => {
    const c = text[i];
    switch (c) {
      case '"':
        return string();
      case "{": {
        i++;
        const map = new Map<string, PyValue>();
        skip();
        if (text[i] === "}") {
          i++;
          return map;
        }
        for (;;) {
          if (text[i] !== '"') fail();
          const key = string();
          skip();
          if (text[i] !== ":") fail();
          i++;
          skip();
          map.set(key, value());
          skip();
          if (text[i] === "}") {
            i++;
            return map;
          }
          if (text[i] !== ",") fail();
          i++;
          skip();
        }
      }
      case "[": {
        i++;
        const list: PyValue[] = [];
        skip();
        if (text[i] === "]") {
          i++;
          return list;
        }
        for (;;) {
          list.push(value());
          skip();
          if (text[i] === "]") {
            i++;
            return list;
          }
          if (text[i] !== ",") fail();
          i++;
          skip();
        }
      }
      case "n":
        return literal("null", null);
      case "t":
        return literal("true", true);
      case "f":
        return literal("false", false);
      case "N":
        return literal("NaN", new PyFloat(NaN));
      case "I":
        return literal("Infinity", new PyFloat(Infinity));
      default: {
        if (c === "-" && text[i + 1] === "I") return literal("-Infinity", new PyFloat(-Infinity));
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (!m) return fail();
        i += m[0].length;
        return m[1] === undefined && m[2] === undefined
          ? new PyInt(BigInt(m[0]))
          : new PyFloat(Number(m[0]));
      }
    }
  };
  const result = value();
  return { value: result, end: i };
}

/** Python's `str(value)`. */
export function pyStr(value: PyValue): string {
  return typeof value === "string" ? value : pyRepr(value);
}

/** Python's `repr(value)`. */
export function pyRepr(value: PyValue): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return reprString(value);
  if (value instanceof PyInt) return value.value.toString();
  if (value instanceof PyFloat) return reprFloat(value.value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  return `{${[...value].map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(", ")}}`;
}

/** `repr(float)`: the shortest round-trip digits, exponent below 1e-4 and from 1e16. */
function reprFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    const [mantissa, exp] = x.toExponential().split("e") as [string, string];
    const sign = exp.startsWith("-") ? "-" : "+";
    return `${mantissa}e${sign}${exp.replace(/^[-+]/, "").padStart(2, "0")}`;
  }
  const fixed = String(x);
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

// Python's str.isprintable(): not Other (Cc, Cf, Cs, Co, Cn) nor Separator, space excepted.
const UNPRINTABLE = /[\p{C}\p{Z}]/u;

/** `repr(str)`: single quotes unless the text has `'` and no `"`; Python's escapes. */
function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch !== " " && UNPRINTABLE.test(ch)) {
      const cp = ch.codePointAt(0)!;
      const hex = cp.toString(16);
      out += cp < 0x100
        ? `\\x${hex.padStart(2, "0")}`
        : cp < 0x10000
        ? `\\u${hex.padStart(4, "0")}`
        : `\\U${hex.padStart(8, "0")}`;
    } else out += ch;
  }
  return out + quote;
}

const PY_SPACE = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, "gu");
const INT_TEXT = /^[+-]?\p{Nd}+(?:_\p{Nd}+)*$/u;

/**
 * Whether Python's `int(value)` succeeds: ints and bools; finite floats; strings of decimal
 * digits (any script, single `_` between digits, a sign, surrounding whitespace). `None` is not
 * converted by the decoder, so it passes too.
 */
export function pyIntAccepts(value: PyValue): boolean {
  if (value === null || typeof value === "boolean" || value instanceof PyInt) return true;
  if (value instanceof PyFloat) return Number.isFinite(value.value);
  if (typeof value === "string") return INT_TEXT.test(value.replace(PY_SPACE, ""));
  return false;
}
