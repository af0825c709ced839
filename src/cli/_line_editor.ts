/**
 * A small line editor for `velora sandbox` on a terminal in raw mode: the typed line is echoed
 * and can be edited (printable characters, backspace, delete, left/right, home/end, ^A/^E, ^B/^F,
 * ^U/^K/^W, ^L) and earlier lines come back with up/down (^P/^N). ^C drops the line and shows a
 * new prompt; ^D on an empty line is end of input. A line longer than the terminal is wide wraps
 * (redrawn the way linenoise's multi-line mode does). Characters count one column each.
 *
 * The editor reads and writes through {@linkcode LineEditorIo}, so it works without a terminal in
 * tests. Bytes after the end of a line (a pasted block) are kept for the next line.
 *
 * @module
 */

/** What the editor reads from and writes to. */
export interface LineEditorIo {
  /** The next chunk of input, or null at end of input. */
  read(): Promise<Uint8Array | null>;
  /** Writes terminal output. */
  write(text: string): void;
  /** The terminal's width in columns. */
  columns(): number;
}

/** The most lines {@linkcode LineEditor} remembers. */
export const HISTORY_SIZE = 500;

const ESC = 0x1b;

type Key =
  | { kind: "text"; text: string }
  | { kind: "enter" | "backspace" | "delete" | "left" | "right" | "home" | "end" }
  | { kind: "up" | "down" | "wordLeft" | "wordRight" | "killStart" | "killEnd" | "killWord" }
  | { kind: "interrupt" | "eof" | "clear" | "ignore" };

/** Reads lines from a raw-mode terminal, echoing and editing them. */
export class LineEditor {
  #io: LineEditorIo;
  #pending: Uint8Array = new Uint8Array(0);
  #history: string[] = [];
  #decoder = new TextDecoder();
  // The line being edited, as code points, and the cursor (an index into it).
  #chars: string[] = [];
  #pos = 0;
  #prompt = "";
  #shownPos = 0; // where the terminal's cursor is, as an index into prompt + line
  #active = false;
  #historyIndex = 0; // #history.length: the line being typed
  #draft: string[] = [];

  constructor(io: LineEditorIo) {
    this.#io = io;
  }

  /** Lines entered so far, oldest first. */
  get history(): readonly string[] {
    return this.#history;
  }

  /** Remembers a line for up/down (empty lines and repeats of the last one are not kept). */
  remember(line: string): void {
    if (line.trim() === "" || this.#history.at(-1) === line) return;
    this.#history.push(line);
    if (this.#history.length > HISTORY_SIZE) this.#history.shift();
  }

  /**
   * Shows `prompt` and reads one line: the line without its end, or null at end of input
   * (^D on an empty line, or the input closed). Entered lines go into the history.
   */
  async readLine(prompt: string): Promise<string | null> {
    this.#prompt = prompt;
    this.#reset();
    this.#active = true;
    this.#io.write(prompt);
    try {
      while (true) {
        const key = this.#nextKey();
        if (key === undefined) {
          const chunk = await this.#io.read();
          if (chunk === null) {
            this.#io.write("\r\n");
            return null;
          }
          this.#pending = concat(this.#pending, chunk);
          continue;
        }
        const done = this.#apply(key);
        if (done !== undefined) return done;
      }
    } finally {
      this.#active = false;
    }
  }

  /**
   * A ^C that came as a signal while a line is being read: drops the line and shows a new
   * prompt, as the ^C key does. Does nothing when no line is being read.
   */
  interrupt(): void {
    if (this.#active) this.#cancelLine();
  }

  #reset(): void {
    this.#chars = [];
    this.#pos = 0;
    this.#shownPos = 0;
    this.#historyIndex = this.#history.length;
    this.#draft = [];
  }

  /** Applies a key; returns the entered line, null for end of input, undefined to go on. */
  #apply(key: Key): string | null | undefined {
    const chars = this.#chars;
    switch (key.kind) {
      case "text": {
        const added = [...key.text];
        chars.splice(this.#pos, 0, ...added);
        this.#pos += added.length;
        // Typing at the end of a line that does not reach the edge needs no redraw.
        const end = [...this.#prompt].length + chars.length;
        if (this.#pos === chars.length && end % this.#columns() !== 0) {
          this.#io.write(key.text);
          this.#shownPos = end;
        } else {
          this.#refresh();
        }
        return undefined;
      }
      case "enter": {
        this.#pos = chars.length;
        this.#refresh();
        this.#io.write("\r\n");
        const line = chars.join("");
        this.remember(line);
        return line;
      }
      case "eof":
        if (chars.length === 0) {
          this.#io.write("\r\n");
          return null;
        }
        return this.#apply({ kind: "delete" });
      case "interrupt":
        this.#cancelLine();
        return undefined;
      case "backspace":
        if (this.#pos > 0) {
          chars.splice(--this.#pos, 1);
          this.#refresh();
        }
        return undefined;
      case "delete":
        if (this.#pos < chars.length) {
          chars.splice(this.#pos, 1);
          this.#refresh();
        }
        return undefined;
      case "left":
        return this.#moveTo(this.#pos - 1);
      case "right":
        return this.#moveTo(this.#pos + 1);
      case "home":
        return this.#moveTo(0);
      case "end":
        return this.#moveTo(chars.length);
      case "wordLeft":
        return this.#moveTo(wordStart(chars, this.#pos));
      case "wordRight":
        return this.#moveTo(wordEnd(chars, this.#pos));
      case "killStart":
        chars.splice(0, this.#pos);
        this.#pos = 0;
        this.#refresh();
        return undefined;
      case "killEnd":
        chars.splice(this.#pos);
        this.#refresh();
        return undefined;
      case "killWord": {
        const start = wordStart(chars, this.#pos);
        chars.splice(start, this.#pos - start);
        this.#pos = start;
        this.#refresh();
        return undefined;
      }
      case "up":
      case "down":
        this.#browse(key.kind === "up" ? -1 : 1);
        return undefined;
      case "clear":
        this.#io.write("\x1b[H\x1b[2J");
        this.#shownPos = 0;
        this.#refresh();
        return undefined;
      case "ignore":
        return undefined;
    }
  }

  #moveTo(pos: number): undefined {
    const clamped = Math.max(0, Math.min(this.#chars.length, pos));
    if (clamped !== this.#pos) {
      this.#pos = clamped;
      this.#refresh();
    }
    return undefined;
  }

  #browse(step: -1 | 1): void {
    const next = this.#historyIndex + step;
    if (next < 0 || next > this.#history.length) return;
    if (this.#historyIndex === this.#history.length) this.#draft = this.#chars;
    this.#historyIndex = next;
    this.#chars = next === this.#history.length ? [...this.#draft] : [...this.#history[next]!];
    this.#pos = this.#chars.length;
    this.#refresh();
  }

  #cancelLine(): void {
    this.#pos = this.#chars.length;
    this.#refresh();
    this.#io.write("^C\r\n");
    this.#reset();
    this.#io.write(this.#prompt);
  }

  #columns(): number {
    const columns = this.#io.columns();
    return Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : 80;
  }

  /**
   * Redraws prompt and line from the prompt's first row and puts the cursor in place. Positions
   * count columns from the prompt's start; the row of position p is floor(p / columns).
   */
  #refresh(): void {
    const cols = this.#columns();
    const promptLength = [...this.#prompt].length;
    let out = "";
    const up = Math.floor(this.#shownPos / cols);
    if (up > 0) out += `\x1b[${up}A`;
    out += "\r\x1b[J" + this.#prompt + this.#chars.join("");
    const end = promptLength + this.#chars.length;
    let endRow = Math.floor(end / cols);
    if (end > 0 && end % cols === 0) {
      // The cursor waits at the right edge; move it to the next row so the rows add up.
      out += "\n";
      endRow = end / cols;
    }
    const target = promptLength + this.#pos;
    const targetRow = Math.floor(target / cols);
    if (endRow > targetRow) out += `\x1b[${endRow - targetRow}A`;
    out += "\r";
    if (target % cols > 0) out += `\x1b[${target % cols}C`;
    this.#shownPos = target;
    this.#io.write(out);
  }

  /** Takes the next key off the pending input; undefined when more input is needed. */
  #nextKey(): Key | undefined {
    const bytes = this.#pending;
    if (bytes.length === 0) return undefined;
    const parsed = parseKey(bytes, this.#decoder);
    if (parsed === undefined) return undefined;
    this.#pending = bytes.subarray(parsed.length);
    return parsed.key;
  }
}

/** One key from the start of `bytes` and its length in bytes; undefined when incomplete. */
function parseKey(
  bytes: Uint8Array,
  decoder: TextDecoder,
): { key: Key; length: number } | undefined {
  const b = bytes[0]!;
  const control: Record<number, Key["kind"]> = {
    0x01: "home",
    0x02: "left",
    0x03: "interrupt",
    0x04: "eof",
    0x05: "end",
    0x06: "right",
    0x08: "backspace",
    0x0a: "enter",
    0x0b: "killEnd",
    0x0c: "clear",
    0x0d: "enter",
    0x0e: "down",
    0x10: "up",
    0x15: "killStart",
    0x17: "killWord",
    0x7f: "backspace",
  };
  if (b === 0x0d && bytes[1] === 0x0a) return { key: { kind: "enter" }, length: 2 };
  if (b in control) return { key: { kind: control[b]! } as Key, length: 1 };
  if (b === ESC) return parseEscape(bytes);
  if (b < 0x20) return { key: { kind: "ignore" }, length: 1 };
  // A run of printable characters, cut before the first control byte or incomplete character.
  let end = 0;
  while (end < bytes.length) {
    const lead = bytes[end]!;
    if (lead < 0x20 || lead === 0x7f) break;
    const size = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (end + size > bytes.length) break;
    end += size;
  }
  if (end === 0) return undefined; // an incomplete character: wait for the rest
  const text = decoder.decode(bytes.subarray(0, end));
  return { key: { kind: "text", text }, length: end };
}

/** An escape sequence: CSI (`ESC [`), SS3 (`ESC O`) or Alt+key (`ESC x`). */
function parseEscape(bytes: Uint8Array): { key: Key; length: number } | undefined {
  if (bytes.length < 2) return undefined;
  const second = bytes[1]!;
  if (second === 0x5b /* [ */) {
    let i = 2;
    while (i < bytes.length && bytes[i]! >= 0x20 && bytes[i]! <= 0x3f) i++;
    if (i >= bytes.length) return undefined;
    const final = String.fromCharCode(bytes[i]!);
    const params = new TextDecoder().decode(bytes.subarray(2, i));
    const ctrl = /;5$/.test(params);
    const byFinal: Record<string, Key["kind"]> = {
      A: "up",
      B: "down",
      C: ctrl ? "wordRight" : "right",
      D: ctrl ? "wordLeft" : "left",
      H: "home",
      F: "end",
    };
    const byNumber: Record<string, Key["kind"]> = {
      "1": "home",
      "7": "home",
      "4": "end",
      "8": "end",
      "3": "delete",
    };
    const kind = final === "~" ? byNumber[params] : byFinal[final];
    return { key: { kind: kind ?? "ignore" } as Key, length: i + 1 };
  }
  if (second === 0x4f /* O */) {
    if (bytes.length < 3) return undefined;
    const byFinal: Record<string, Key["kind"]> = {
      A: "up",
      B: "down",
      C: "right",
      D: "left",
      H: "home",
      F: "end",
    };
    const kind = byFinal[String.fromCharCode(bytes[2]!)];
    return { key: { kind: kind ?? "ignore" } as Key, length: 3 };
  }
  const alt: Record<string, Key["kind"]> = { b: "wordLeft", f: "wordRight", "\x7f": "killWord" };
  return { key: { kind: alt[String.fromCharCode(second)] ?? "ignore" } as Key, length: 2 };
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}_]/u.test(char);
}

/** The start of the word before `pos` (skipping the separators before it). */
function wordStart(chars: string[], pos: number): number {
  let i = pos;
  while (i > 0 && !isWordChar(chars[i - 1])) i--;
  while (i > 0 && isWordChar(chars[i - 1])) i--;
  return i;
}

/** The end of the word after `pos`. */
function wordEnd(chars: string[], pos: number): number {
  let i = pos;
  while (i < chars.length && !isWordChar(chars[i])) i++;
  while (i < chars.length && isWordChar(chars[i])) i++;
  return i;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Reads lines from a stream that is not a terminal (no echo, no editing). */
export class LineReader {
  #read: () => Promise<Uint8Array | null>;
  #pending: Uint8Array = new Uint8Array(0);
  #ended = false;

  /** Reads chunks with `read` (null at end of input). */
  constructor(read: () => Promise<Uint8Array | null>) {
    this.#read = read;
  }

  /** The next line without its end (`\n` or `\r\n`), or null at end of input. */
  async readLine(): Promise<string | null> {
    while (true) {
      const end = this.#pending.indexOf(0x0a);
      if (end >= 0) {
        const line = this.#pending.subarray(0, end);
        this.#pending = this.#pending.subarray(end + 1);
        return new TextDecoder().decode(line).replace(/\r$/, "");
      }
      if (this.#ended) {
        if (this.#pending.length === 0) return null;
        const rest = new TextDecoder().decode(this.#pending);
        this.#pending = new Uint8Array(0);
        return rest;
      }
      const chunk = await this.#read();
      if (chunk === null) this.#ended = true;
      else this.#pending = concat(this.#pending, chunk);
    }
  }
}

/** Reads chunks of `file` (standard input) for {@linkcode LineEditor} and {@linkcode LineReader}. */
export function chunksOf(
  file: { read(buffer: Uint8Array): Promise<number | null> },
): () => Promise<Uint8Array | null> {
  const buffer = new Uint8Array(4096);
  return async () => {
    const n = await file.read(buffer);
    return n === null ? null : buffer.slice(0, n);
  };
}
