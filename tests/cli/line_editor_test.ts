/**
 * The line editor of `velora sandbox`: keys in, lines out, and what a terminal of a given width
 * shows (a small emulator of the escape sequences the editor writes).
 */
import assert from "node:assert/strict";
import { HISTORY_SIZE, LineEditor, LineReader } from "../../src/cli/_line_editor.ts";

const CSI = new RegExp(`^${String.fromCharCode(0x1b)}\\[(\\d*)([A-Za-z])`);

/** A terminal screen: autowrap with the pending-wrap state, \r, \n, CUU, CUF, ED, EL, CUP, ED 2. */
class Screen {
  rows: string[][] = [[]];
  row = 0;
  col = 0;
  #wrapPending = false;

  constructor(readonly columns: number) {}

  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === "\x1b") {
        const m = CSI.exec(text.slice(i));
        assert.ok(m, `unknown escape at ${JSON.stringify(text.slice(i, i + 6))}`);
        const n = Number(m[1] || "1");
        this.#wrapPending = false;
        if (m[2] === "A") this.row = Math.max(0, this.row - n);
        else if (m[2] === "C") this.col = Math.min(this.columns - 1, this.col + n);
        else if (m[2] === "J" && m[1] === "2") this.rows = [[]];
        else if (m[2] === "J") {
          this.#line().splice(this.col);
          this.rows.splice(this.row + 1);
        } else if (m[2] === "K") this.#line().splice(this.col);
        else if (m[2] === "H") [this.row, this.col] = [0, 0];
        else assert.fail(`unexpected escape ${m[0]}`);
        i += m[0].length - 1;
      } else if (ch === "\r") {
        this.col = 0;
        this.#wrapPending = false;
      } else if (ch === "\n") {
        this.row++;
        this.#wrapPending = false;
      } else {
        if (this.#wrapPending) {
          this.row++;
          this.col = 0;
          this.#wrapPending = false;
        }
        const line = this.#line();
        while (line.length < this.col) line.push(" ");
        line[this.col] = ch;
        if (this.col === this.columns - 1) this.#wrapPending = true;
        else this.col++;
      }
    }
  }

  text(): string {
    return this.rows.map((r) => r.join("")).join("\n").replace(/\n+$/, "");
  }

  #line(): string[] {
    while (this.rows.length <= this.row) this.rows.push([]);
    return this.rows[this.row]!;
  }
}

/** An editor reading `chunks` one at a time on a screen `columns` wide. */
function editorOn(chunks: string[], columns = 80) {
  const screen = new Screen(columns);
  const queue = chunks.map((c) => new TextEncoder().encode(c));
  const editor = new LineEditor({
    read: () => Promise.resolve(queue.shift() ?? null),
    write: (text) => screen.write(text),
    columns: () => columns,
  });
  return { editor, screen };
}

const UP = "\x1b[A", DOWN = "\x1b[B", RIGHT = "\x1b[C", LEFT = "\x1b[D";

Deno.test("line editor: typed text is echoed and Enter returns the line", async () => {
  const { editor, screen } = editorOn(["export X=5 && ", "echo $X\r"]);
  assert.equal(await editor.readLine("/workspace$ "), "export X=5 && echo $X");
  assert.equal(screen.text(), "/workspace$ export X=5 && echo $X");
  assert.deepEqual([screen.row, screen.col], [1, 0]);
});

Deno.test("line editor: backspace, left/right, ^A/^E, ^U, ^K, ^W and delete edit the line", async () => {
  const cases: [string, string][] = [
    ["abd\x7f\x7fc\r", "ac"],
    [`ac${LEFT}b${RIGHT}d\r`, "abcd"],
    ["cho x\x01e\x05y\r", "echo xy"],
    ["junk\x15echo ok\r", "echo ok"],
    ["echo ok junk\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x0b\r", "echo ok"],
    ["echo one two\x17three\r", "echo one three"],
    [`abc\x01\x1b[3~\r`, "bc"],
    ["abc\x1b[H\x04\r", "bc"],
    ["echo a-b\x1b[1;5D\x1b[1;5DX\r", "echo Xa-b"],
    ["héllo wörld\x7f\x7f\x7fx\r", "héllo wöx"],
  ];
  for (const [keys, line] of cases) {
    const { editor } = editorOn([keys]);
    assert.equal(await editor.readLine("$ "), line, JSON.stringify(keys));
  }
});

Deno.test("line editor: a key or character split across reads still counts once", async () => {
  const e = new TextEncoder().encode("é");
  const chunks = [
    new TextEncoder().encode("ab\x1b"),
    new TextEncoder().encode("[D"),
    new Uint8Array([0x58, e[0]!]),
    new Uint8Array([e[1]!, 0x0d]),
  ];
  const editor = new LineEditor({
    read: () => Promise.resolve(chunks.shift() ?? null),
    write: () => {},
    columns: () => 80,
  });
  assert.equal(await editor.readLine("$ "), "aXéb");
});

Deno.test("line editor: up/down go through earlier lines and back to the draft", async () => {
  const { editor, screen } = editorOn([
    "one\r",
    "two\r",
    "two\r",
    `dra${UP}${UP}\r`,
    `x${UP}${UP}${DOWN}${DOWN}\r`,
  ]);
  assert.equal(await editor.readLine("$ "), "one");
  assert.equal(await editor.readLine("$ "), "two");
  assert.equal(await editor.readLine("$ "), "two");
  assert.deepEqual(editor.history, ["one", "two"], "a repeated line is kept once");
  assert.equal(await editor.readLine("$ "), "one");
  assert.equal(await editor.readLine("$ "), "x", "down past the newest line is the draft");
  assert.match(screen.text(), /^\$ one\n\$ two\n\$ two\n\$ one\n\$ x$/);
});

Deno.test("line editor: the history keeps the last lines only", () => {
  const { editor } = editorOn([]);
  for (let i = 0; i < HISTORY_SIZE + 5; i++) editor.remember(`line ${i}`);
  editor.remember("   ");
  assert.equal(editor.history.length, HISTORY_SIZE);
  assert.equal(editor.history[0], "line 5");
});

Deno.test("line editor: ^C drops the line and shows a new prompt; ^D on an empty line is the end", async () => {
  const { editor, screen } = editorOn(["echo never\x03echo yes\r", "ab\x04\x01\x04\x04\x04\x04"]);
  assert.equal(await editor.readLine("$ "), "echo yes");
  assert.equal(await editor.readLine("$ "), null, "^D deletes while the line has text");
  assert.equal(screen.text(), "$ echo never^C\n$ echo yes\n$ ");
});

Deno.test("line editor: interrupt() from a signal starts a new line", async () => {
  let release!: (chunk: Uint8Array | null) => void;
  const screen = new Screen(80);
  const reads = [
    () => Promise.resolve(new TextEncoder().encode("echo never")),
    () => new Promise<Uint8Array | null>((resolve) => (release = resolve)),
    () => Promise.resolve(null),
  ];
  const editor = new LineEditor({
    read: () => reads.shift()!(),
    write: (text) => screen.write(text),
    columns: () => 80,
  });
  const line = editor.readLine("$ ");
  await new Promise((resolve) => setTimeout(resolve, 10));
  editor.interrupt();
  release(new TextEncoder().encode("ok\r"));
  assert.equal(await line, "ok");
  assert.equal(screen.text(), "$ echo never^C\n$ ok");
  editor.interrupt(); // no line being read: nothing happens
  assert.equal(screen.text(), "$ echo never^C\n$ ok");
});

Deno.test("line editor: a line longer than the terminal wraps and edits in place", async () => {
  // 10 columns: "$ " + 18 characters = two full rows.
  const { editor, screen } = editorOn(["abcdefghijklmnopqr", `${LEFT.repeat(12)}XY`, "\x7f\r"], 10);
  assert.equal(await editor.readLine("$ "), "abcdefXghijklmnopqr");
  assert.equal(screen.text(), "$ abcdefXg\nhijklmnopq\nr");
  assert.deepEqual([screen.row, screen.col], [3, 0]);
});

Deno.test("line editor: the cursor follows edits across rows", async () => {
  const columns = 10;
  const screen = new Screen(columns);
  // Prompt "$ " + 8 characters fills row 0 exactly.
  const chunks = ["abcdefgh", LEFT, "\x01", "\x05", "ijk", LEFT.repeat(4)];
  const queue = [...chunks];
  const cursor: [number, number][] = [];
  let calls = 0;
  const editor = new LineEditor({
    read: () => {
      if (calls++ > 0) cursor.push([screen.row, screen.col]);
      const next = queue.shift();
      return Promise.resolve(next === undefined ? null : new TextEncoder().encode(next));
    },
    write: (text) => screen.write(text),
    columns: () => columns,
  });
  assert.equal(await editor.readLine("$ "), null);
  assert.deepEqual(cursor, [[1, 0], [0, 9], [0, 2], [1, 0], [1, 3], [0, 9]]);
});

Deno.test("line reader: lines without a terminal, \\r\\n and a last line without an end", async () => {
  const chunks = ["one\r\ntw", "o\n\nthree"].map((c) => new TextEncoder().encode(c));
  const reader = new LineReader(() => Promise.resolve(chunks.shift() ?? null));
  const lines = [];
  for (let line = await reader.readLine(); line !== null; line = await reader.readLine()) {
    lines.push(line);
  }
  assert.deepEqual(lines, ["one", "two", "", "three"]);
});
