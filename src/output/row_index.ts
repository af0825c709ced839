/**
 * The row index of a JSONL file of rows (`output.jsonl` → `output.jsonl.index`): one small line
 * per line of the file (instance id, byte offset and length, the head of a string `error`, the
 * SHA-256 of `test_result.git_patch`, a short hash of `report`), so resuming, retrying and
 * evaluating read what they need without parsing trajectories, and rewrites copy rows as bytes.
 *
 * The index is a cache, never trusted over the file: it is used only when it covers the file
 * exactly (every line, offsets contiguous, the last one ending at the file's size) and the stamp
 * it last recorded (size, modification time, inode) is the file's current one. Anything else
 * (missing, stale, corrupt, cut short) and it is rebuilt by streaming the file, one row at a time.
 *
 * Format (JSONL): a header `{"velora_row_index":1,"ino":…,"size":…,"mtime":…}` (the stamp of the
 * file the index was written for), then one entry per line of the file in order,
 * `{"id":…,"at":…,"len":…,"err":…,"patch":…,"report":…}`; an entry appended after a row was
 * appended also carries the file's new `size` and `mtime`. The last stamp in the index counts.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readJsonl } from "../dataset/jsonl.ts";
import { ConfigError } from "../errors.ts";

/** One line of the file, as the index records it. */
export interface RowEntry {
  /** The row's `instance_id`; null for a line that is not a row with a string id. */
  id: string | null;
  /** Byte offset of the line in the file. */
  at: number;
  /** Bytes of the line, its `"\n"` included. */
  len: number;
  /** The first {@linkcode ERROR_HEAD} characters of a string `error`, else null. */
  err: string | null;
  /** {@linkcode patchSha256} of `test_result.git_patch`; null for a line that is no row. */
  patch: string | null;
  /** {@linkcode reportHash} of the row's `report`; null when it has none. */
  report: string | null;
}

/** What identifies the file's content an index was made for. */
export interface Stamp {
  size: number;
  /** Modification time, ms. */
  mtime: number;
  /** Inode (a rewrite renames a new file into place); null where the platform has none. */
  ino: number | null;
}

/** Characters of `error` the index keeps (enough to tell an error's class by its prefix). */
export const ERROR_HEAD = 200;

const VERSION = 1;
const BLOCK = 1 << 20;
const NEWLINE = 10;

/** The index file of `path`. */
export function indexPathOf(path: string): string {
  return `${path}.index`;
}

/** The SHA-256 (hex) velora stores for a patch (`\0none` stands for no patch). */
export function patchSha256(patch: string | null): string {
  return createHash("sha256").update(patch ?? "\0none").digest("hex");
}

/** The patch of a row: `test_result.git_patch` when it is a string, else null. */
export function rowPatchOf(row: Record<string, unknown>): string | null {
  const result = row.test_result;
  if (typeof result !== "object" || result === null) return null;
  const patch = (result as Record<string, unknown>).git_patch;
  return typeof patch === "string" ? patch : null;
}

/** A short hash of a `report` value (null when there is none). */
export function reportHash(report: unknown): string | null {
  if (report === undefined) return null;
  return createHash("sha256").update(JSON.stringify(report)).digest("hex").slice(0, 24);
}

/** The entry of a parsed line at `at`, `len` bytes long. */
export function entryOf(value: unknown, at: number, len: number): RowEntry {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { id: null, at, len, err: null, patch: null, report: null };
  }
  const row = value as Record<string, unknown>;
  return {
    id: typeof row.instance_id === "string" ? row.instance_id : null,
    at,
    len,
    err: typeof row.error === "string" ? row.error.slice(0, ERROR_HEAD) : null,
    patch: patchSha256(rowPatchOf(row)),
    report: reportHash(row.report),
  };
}

/** The stamp of a file's current state. */
export function stampOf(info: Deno.FileInfo): Stamp {
  return { size: info.size, mtime: info.mtime?.getTime() ?? 0, ino: info.ino ?? null };
}

/** Whether two stamps name the same content. */
export function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.size === b.size && a.mtime === b.mtime &&
    (a.ino === null || b.ino === null || a.ino === b.ino);
}

/** Options of {@linkcode scanRows}. */
export interface ScanOptions {
  /**
   * Called for a line that is not JSON (its entry then has no id); without it the first such
   * line throws a {@linkcode ConfigError} `file:line: not valid JSON: ...`.
   */
  onBadLine?: (error: ConfigError) => void;
}

/**
 * Builds the entries of `path` by streaming it: each line is read, parsed and dropped, so memory
 * stays at one row whatever the file's size. Returns the file's stamp when the scan started (only
 * the bytes up to that size are read).
 */
export async function scanRows(
  path: string,
  options: ScanOptions = {},
): Promise<{ entries: RowEntry[]; stamp: Stamp }> {
  using file = await Deno.open(path, { read: true }).catch((error) => {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new ConfigError({ file: path }, `cannot read the file: ${reason}`);
  });
  const stamp = stampOf(await file.stat());
  const entries: RowEntry[] = [];
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(BLOCK);
  let pieces: Uint8Array[] = []; // the current line's bytes from earlier blocks (copies)
  let pieceBytes = 0;
  let lineStart = 0;
  let read = 0;
  const finish = (bytes: Uint8Array, len: number) => {
    const line = entries.length + 1;
    let text = decoder.decode(bytes);
    if (text.endsWith("\r")) text = text.slice(0, -1);
    let value: unknown = undefined;
    if (text.trim() !== "") {
      try {
        value = JSON.parse(text);
      } catch (error) {
        const reason = error instanceof SyntaxError ? error.message : String(error);
        const bad = new ConfigError({ file: path, line }, `not valid JSON: ${reason}`);
        if (!options.onBadLine) throw bad;
        options.onBadLine(bad);
      }
    }
    entries.push(entryOf(value, lineStart, len));
    lineStart += len;
  };
  const joined = (last: Uint8Array): Uint8Array => {
    if (pieces.length === 0) return last;
    const all = new Uint8Array(pieceBytes + last.length);
    let at = 0;
    for (const piece of pieces) {
      all.set(piece, at);
      at += piece.length;
    }
    all.set(last, at);
    pieces = [];
    pieceBytes = 0;
    return all;
  };
  while (read < stamp.size) {
    const n = await file.read(buffer.subarray(0, Math.min(BLOCK, stamp.size - read)));
    if (n === null) break;
    read += n;
    const block = buffer.subarray(0, n);
    let from = 0;
    for (let end = block.indexOf(NEWLINE); end !== -1; end = block.indexOf(NEWLINE, from)) {
      const bytes = joined(block.subarray(from, end));
      finish(bytes, bytes.length + 1);
      from = end + 1;
    }
    if (from < n) {
      pieces.push(block.slice(from));
      pieceBytes += n - from;
    }
  }
  if (pieceBytes > 0) {
    const bytes = joined(new Uint8Array());
    finish(bytes, bytes.length); // an unterminated last line
  }
  return { entries, stamp: { ...stamp, size: lineStart } };
}

/**
 * The entries of `path` from its index, when the index is valid for the file as it is now;
 * undefined when the index is missing, stale or corrupt.
 */
export async function readIndex(
  path: string,
): Promise<{ entries: RowEntry[]; stamp: Stamp } | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    return undefined;
  }
  const current = stampOf(info);
  const entries: RowEntry[] = [];
  let stamp: Stamp | undefined;
  let end = 0;
  let bad = false;
  try {
    for await (
      const { value } of readJsonl(indexPathOf(path), { onError: () => void (bad = true) })
    ) {
      if (bad) return undefined;
      const line = value as Record<string, unknown>;
      if (stamp === undefined) {
        if (line?.velora_row_index !== VERSION) return undefined;
        stamp = stampFields(line, typeof line.ino === "number" ? line.ino : null);
        if (!stamp) return undefined;
        continue;
      }
      const entry = entryFields(line);
      if (!entry || entry.at !== end) return undefined;
      end += entry.len;
      entries.push(entry);
      if (line.size !== undefined) {
        stamp = stampFields(line, stamp.ino);
        if (!stamp) return undefined;
      }
    }
  } catch {
    return undefined; // no index (or unreadable): rebuild
  }
  if (bad || !stamp || end !== stamp.size || !sameStamp(stamp, current)) return undefined;
  return { entries, stamp: current };
}

function stampFields(line: Record<string, unknown>, ino: number | null): Stamp | undefined {
  const { size, mtime } = line;
  if (!isCount(size) || typeof mtime !== "number") return undefined;
  return { size, mtime, ino };
}

function entryFields(line: Record<string, unknown>): RowEntry | undefined {
  if (typeof line !== "object" || line === null) return undefined;
  const { id, at, len, err, patch, report } = line;
  if (id !== null && typeof id !== "string") return undefined;
  if (!isCount(at) || !isCount(len) || len === 0) return undefined;
  if (err !== null && typeof err !== "string") return undefined;
  if (patch !== null && typeof patch !== "string") return undefined;
  if (report !== null && typeof report !== "string") return undefined;
  return { id, at, len, err, patch, report };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** The header line of an index for a file with `stamp`. */
export function indexHeader(stamp: Stamp): string {
  return JSON.stringify({
    velora_row_index: VERSION,
    ino: stamp.ino,
    size: stamp.size,
    mtime: stamp.mtime,
  }) + "\n";
}

/** The line of an entry; with `stamp`, the file's stamp after the entry's row was appended. */
export function indexLine(entry: RowEntry, stamp?: Stamp): string {
  const { id, at, len, err, patch, report } = entry;
  return JSON.stringify({
    id,
    at,
    len,
    err,
    patch,
    report,
    ...(stamp ? { size: stamp.size, mtime: stamp.mtime } : {}),
  }) + "\n";
}

/** The whole index text for `entries` of a file with `stamp`, in pieces. */
export function* indexText(entries: readonly RowEntry[], stamp: Stamp): Generator<string> {
  yield indexHeader(stamp);
  for (const entry of entries) yield indexLine(entry);
}

/** The last entry of each id, in the order of those entries in the file. */
export function latestEntries(entries: readonly RowEntry[]): RowEntry[] {
  const last = new Map<string, number>();
  entries.forEach((entry, i) => {
    if (entry.id !== null) last.set(entry.id, i);
  });
  return entries.filter((entry, i) => entry.id !== null && last.get(entry.id) === i);
}

/** The index says something the file does not: it is rebuilt from the file. */
export class IndexMismatch extends Error {
  constructor(path: string, at: number) {
    super(`${path}: the row index does not match the file at byte ${at}`);
  }
}

/**
 * Reads byte ranges of a file front to back through one buffer: ranges asked for in increasing
 * order cost one pass over the file (skipped stretches are sought past, not read).
 */
export class RangeReader implements Disposable {
  readonly #buffer: Uint8Array;
  #start = 0; // file offset of the buffer's first byte
  #length = 0; // valid bytes in the buffer
  #position = 0; // the file's read position

  private constructor(readonly path: string, readonly file: Deno.FsFile, block: number) {
    this.#buffer = new Uint8Array(Math.max(1, block));
  }

  /** Opens `path` for reading, `block` bytes at a time (1 MiB unless told). */
  static async open(path: string, block = BLOCK): Promise<RangeReader> {
    return new RangeReader(path, await Deno.open(path, { read: true }), block);
  }

  /**
   * The bytes of `[at, at + len)` in pieces, each valid until the next call; a file that ends
   * before it throws {@linkcode IndexMismatch}.
   */
  async *pieces(at: number, len: number): AsyncGenerator<Uint8Array> {
    let offset = at;
    const end = at + len;
    while (offset < end) {
      if (offset < this.#start || offset >= this.#start + this.#length) await this.#fill(offset);
      const from = offset - this.#start;
      const to = Math.min(this.#length, end - this.#start);
      yield this.#buffer.subarray(from, to);
      offset += to - from;
    }
  }

  /** The bytes of `[at, at + len)` as one new array. */
  async bytes(at: number, len: number): Promise<Uint8Array> {
    const out = new Uint8Array(len);
    let filled = 0;
    for await (const piece of this.pieces(at, len)) {
      out.set(piece, filled);
      filled += piece.length;
    }
    return out;
  }

  async #fill(offset: number): Promise<void> {
    if (this.#position !== offset) {
      await this.file.seek(offset, Deno.SeekMode.Start);
      this.#position = offset;
    }
    const n = await this.file.read(this.#buffer);
    if (n === null) throw new IndexMismatch(this.path, offset);
    this.#start = offset;
    this.#length = n;
    this.#position += n;
  }

  [Symbol.dispose](): void {
    this.file.close();
  }
}

/**
 * Reads the row of `entry` with `reader` and checks it is the row the entry names (the id, and
 * the line ends where the entry says); {@linkcode IndexMismatch} when it is not.
 */
export async function readEntry(
  reader: RangeReader,
  entry: RowEntry,
): Promise<Record<string, unknown>> {
  const bytes = await reader.bytes(entry.at, entry.len);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new IndexMismatch(reader.path, entry.at);
  }
  const row = value as Record<string, unknown>;
  if (entry.id === null || row?.instance_id !== entry.id) {
    throw new IndexMismatch(reader.path, entry.at);
  }
  return row;
}

/**
 * Checks that the line of `entry` is the row it names, cheaply: a line that starts with
 * `{"instance_id":"<the id>"` (as every row velora writes does) is checked by its first bytes;
 * any other line is parsed. {@linkcode IndexMismatch} when it is not.
 */
export async function verifyEntry(reader: RangeReader, entry: RowEntry): Promise<void> {
  if (entry.id !== null) {
    const expected = new TextEncoder().encode(`{"instance_id":${JSON.stringify(entry.id)}`);
    const head = await reader.bytes(entry.at, Math.min(entry.len, expected.length + 1));
    const next = head[expected.length];
    if (
      head.length > expected.length && expected.every((byte, i) => head[i] === byte) &&
      (next === 0x2c /* , */ || next === 0x7d /* } */)
    ) return;
  }
  const bytes = await reader.bytes(entry.at, entry.len);
  const text = new TextDecoder().decode(bytes).trim();
  let value: unknown = undefined;
  try {
    if (text !== "") value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (entryOf(value, entry.at, entry.len).id !== entry.id) {
    throw new IndexMismatch(reader.path, entry.at);
  }
}
