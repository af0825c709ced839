/**
 * `output.jsonl`: rows appended one at a time, each written whole and fsynced. An append the disk
 * refuses (full, read-only) is cut back to the file's previous length and throws a `DiskError`,
 * so the file keeps only whole rows. A crash can leave at most one torn last line; opening the
 * file moves it to `output.jsonl.torn` (never silently dropped) so every remaining line is a
 * complete row.
 *
 * Nothing here holds more than one row: the writer keeps the file's row index (`row_index.ts`:
 * ids, offsets, error heads, patch hashes) in memory, read from `<path>.index` when that is valid
 * for the file (with `index: true`) and otherwise rebuilt by streaming the file. Rewrites
 * (`replace`, `update`, `compact`) stream into a temp file that is renamed into place: rows that
 * do not change are copied as bytes, never parsed, and when the disk refuses the rewrite the file
 * is left as it was.
 *
 * @module
 */
import { DiskError } from "../errors.ts";
import { AtomicFile, onDisk, writable, writeFileAtomic } from "../fs.ts";
import {
  entryOf,
  indexLine,
  IndexMismatch,
  indexPathOf,
  indexText,
  latestEntries,
  RangeReader,
  readEntry,
  readIndex,
  reportHash,
  type RowEntry,
  sameStamp,
  scanRows,
  type Stamp,
  stampOf,
  verifyEntry,
} from "./row_index.ts";

/** Options of {@linkcode JsonlWriter.open}. */
export interface JsonlWriterOptions {
  /**
   * Keep the row index beside the file (`<path>.index`), so the next open reads it rather than
   * every row (for files of large rows: `output.jsonl`).
   */
  index?: boolean;
}

/**
 * A change to one row: a function from the row to the new row, or `set`, keys to set (the row
 * becomes `{ ...row, ...set }`). A `set` of keys the index shows the row lacks (`report`) is
 * written without parsing the row: the keys go in before its closing brace.
 */
export type RowEdit =
  | ((row: Record<string, unknown>) => Record<string, unknown>)
  | { set: Record<string, unknown> };

/** What happens to one line in a rewrite: kept as it is, dropped, or changed. */
type Plan = "keep" | "drop" | RowEdit;

const NEWLINE = 10;
const BATCH = 1 << 20;

/** An append-only JSONL file of rows keyed by `instance_id`. */
export class JsonlWriter {
  #queue: Promise<unknown> = Promise.resolve();
  #entries: RowEntry[] = [];
  #last = new Map<string, RowEntry>();
  #end = 0;
  #stamp: Stamp = { size: 0, mtime: 0, ino: null };
  #persist: boolean;
  #indexState: "read" | "rebuilt" | "memory" = "memory";

  private constructor(readonly path: string, readonly repairedBytes: number, persist: boolean) {
    this.#persist = persist;
  }

  /**
   * Opens (creating if needed), repairs a torn last line and loads the row index (rebuilding it
   * by streaming the file when it is missing or does not match the file).
   *
   * @throws {ConfigError} `file:line: not valid JSON` for a line that is not a row.
   */
  static async open(path: string, options: JsonlWriterOptions = {}): Promise<JsonlWriter> {
    const writer = new JsonlWriter(path, await repairTornTail(path), options.index === true);
    // After a repair the file was written to since the index was: the repair cuts it back to the
    // indexed size, possibly within the same mtime tick, so the stamp alone cannot tell.
    if (writer.#persist && writer.repairedBytes === 0) {
      const read = await readIndex(path);
      if (read) {
        writer.#set(read.entries, read.stamp);
        writer.#indexState = "read";
        return writer;
      }
    }
    await writer.#rebuild();
    writer.#indexState = writer.#persist ? "rebuilt" : "memory";
    return writer;
  }

  /**
   * Where the row index came from: `read` from the index file, `rebuilt` from the file (and
   * written), `memory` when no index file is kept (or it could not be written).
   */
  get indexState(): "read" | "rebuilt" | "memory" {
    return this.#indexState;
  }

  /** How many instances have a row. */
  get size(): number {
    return this.#last.size;
  }

  /** Whether `id` has a row. */
  has(id: string): boolean {
    return this.#last.has(id);
  }

  /** The ids with a row. */
  ids(): string[] {
    return [...this.#last.keys()];
  }

  /** The index entry of `id`'s row (the last row of an id wins). */
  entry(id: string): RowEntry | undefined {
    return this.#last.get(id);
  }

  /** The index entry of each instance's row (the last of an id), in file order. */
  entries(): RowEntry[] {
    return latestEntries(this.#entries);
  }

  /** Reads `id`'s row (the last of the id) from the file; undefined when it has none. */
  row(id: string): Promise<Record<string, unknown> | undefined> {
    return this.#serialize(async () => {
      for (let attempt = 0;; attempt++) {
        const entry = this.#last.get(id);
        if (!entry) return undefined;
        try {
          using reader = await RangeReader.open(this.path, Math.min(entry.len, BATCH));
          return await readEntry(reader, entry);
        } catch (error) {
          if (!(error instanceof IndexMismatch) || attempt > 0) throw error;
          await this.#rebuild();
        }
      }
    });
  }

  /**
   * Appends one row as one line and fsyncs it; when the disk refuses it, the file is cut back to
   * its previous length and a {@linkcode DiskError} is thrown. Calls are serialized.
   */
  append(row: Record<string, unknown>): Promise<void> {
    return this.#serialize(async () => {
      const line = JSON.stringify(row);
      const { at, stamp } = await appendLine(this.path, line);
      if (at !== this.#end) {
        await this.#rebuild(); // the file changed under the writer: believe the file
        return;
      }
      const entry = entryOf(row, at, stamp.size - at);
      this.#push(entry);
      this.#stamp = stamp;
      await this.#appendIndex(entry, stamp);
    });
  }

  /**
   * Replaces the rows with these ids and appends the new ones, in one streamed rewrite (the file
   * is renamed into place when complete).
   */
  replace(rows: Record<string, unknown>[]): Promise<void> {
    return this.#serialize(() => {
      const ids = new Set(rows.map((row) => row.instance_id));
      return this.#rewrite(
        (entry) => (entry.id !== null && ids.has(entry.id) ? "drop" : "keep"),
        rows,
      );
    });
  }

  /**
   * Rewrites the rows `edit` asks for, keeping the order, in one streamed rewrite: `edit` sees
   * each line's index entry and returns how to change that row, or undefined to keep it as it is
   * (copied, not parsed). Nothing is written when no row changes.
   */
  update(edit: (entry: RowEntry) => RowEdit | undefined): Promise<void> {
    return this.#serialize(() => this.#rewrite((entry) => edit(entry) ?? "keep"));
  }

  /**
   * Drops rows a later row of the same id replaced (appending a retried instance's row and
   * compacting once costs one rewrite, not one per row). Nothing is written when there are none.
   */
  compact(): Promise<void> {
    return this.#serialize(() =>
      this.#rewrite((entry) =>
        entry.id === null || this.#last.get(entry.id) === entry ? "keep" : "drop"
      )
    );
  }

  #serialize<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task);
    this.#queue = next.catch(() => {});
    return next;
  }

  #set(entries: RowEntry[], stamp: Stamp): void {
    this.#entries = [];
    this.#last = new Map();
    this.#end = 0;
    for (const entry of entries) this.#push(entry);
    this.#stamp = stamp;
  }

  #push(entry: RowEntry): void {
    this.#entries.push(entry);
    if (entry.id !== null) {
      this.#last.delete(entry.id); // keeps the map in the order of the latest rows
      this.#last.set(entry.id, entry);
    }
    this.#end = entry.at + entry.len;
  }

  /** Builds the index from the file (streaming it) and writes it when one is kept. */
  async #rebuild(): Promise<void> {
    const { entries, stamp } = await scanRows(this.path);
    this.#set(entries, stamp);
    await this.#writeIndex();
  }

  async #writeIndex(): Promise<void> {
    if (!this.#persist) return;
    try {
      await writeFileAtomic(indexPathOf(this.path), indexText(this.#entries, this.#stamp));
    } catch {
      await this.#dropIndex();
    }
  }

  async #appendIndex(entry: RowEntry, stamp: Stamp): Promise<void> {
    if (!this.#persist) return;
    const index = indexPathOf(this.path);
    try {
      const file = await Deno.open(index, { append: true });
      try {
        const bytes = new TextEncoder().encode(indexLine(entry, stamp));
        for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
      } finally {
        file.close();
      }
    } catch {
      await this.#dropIndex();
    }
  }

  /** The index could not be written: it is removed (the next open rebuilds it) and not kept. */
  async #dropIndex(): Promise<void> {
    this.#persist = false;
    await Deno.remove(indexPathOf(this.path)).catch(() => {});
  }

  /** One streamed rewrite; an index that turns out not to match the file is rebuilt, once. */
  async #rewrite(plan: (entry: RowEntry) => Plan, extra: Record<string, unknown>[] = []) {
    for (let attempt = 0;; attempt++) {
      try {
        return await this.#rewriteOnce(plan, extra);
      } catch (error) {
        if (!(error instanceof IndexMismatch) || attempt > 0) throw error;
        await this.#rebuild();
      }
    }
  }

  async #rewriteOnce(plan: (entry: RowEntry) => Plan, extra: Record<string, unknown>[]) {
    const plans = this.#entries.map(plan);
    if (extra.length === 0 && plans.every((p) => p === "keep")) return;
    if (!sameStamp(stampOf(await Deno.stat(this.path)), this.#stamp)) {
      throw new IndexMismatch(this.path, 0);
    }
    using reader = await RangeReader.open(this.path);
    const out = await AtomicFile.open(this.path);
    const entries: RowEntry[] = [];
    const batch = new Batch(out);
    const encoder = new TextEncoder();
    const write = async (row: Record<string, unknown>) => {
      const bytes = encoder.encode(JSON.stringify(row) + "\n");
      entries.push(entryOf(row, batch.bytes, bytes.length));
      await batch.write(bytes);
    };
    try {
      for (let i = 0; i < plans.length; i++) {
        const entry = this.#entries[i]!;
        const how = plans[i]!;
        if (typeof how !== "function") await verifyEntry(reader, entry);
        if (how === "drop") continue;
        if (how === "keep") {
          entries.push({ ...entry, at: batch.bytes });
          let last = -1;
          for await (const piece of reader.pieces(entry.at, entry.len)) {
            await batch.write(piece);
            last = piece[piece.length - 1]!;
          }
          if (last !== NEWLINE) throw new IndexMismatch(this.path, entry.at);
        } else if (typeof how === "function") await write(how(await readEntry(reader, entry)));
        else {
          // The line up to its closing brace is copied as it is, the keys go in before it.
          const tail = absent(entry, how.set) ? await closingBrace(reader, entry) : undefined;
          if (!tail) await write({ ...(await readEntry(reader, entry)), ...how.set });
          else {
            const keys = new TextEncoder().encode(
              Object.entries(how.set).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
                .join(""),
            );
            entries.push({
              ...entry,
              at: batch.bytes,
              len: entry.len + keys.length,
              report: "report" in how.set ? reportHash(how.set.report) : entry.report,
            });
            for await (const piece of reader.pieces(entry.at, tail.at - entry.at)) {
              await batch.write(piece);
            }
            await batch.write(keys);
            await batch.write(tail.bytes);
          }
        }
      }
      for (const row of extra) await write(row);
      await batch.flush();
      await out.commit();
    } catch (error) {
      await out.abandon();
      throw error;
    }
    this.#set(entries, stampOf(await Deno.stat(this.path)));
    await this.#writeIndex();
  }
}

/** Whether the index shows that the row of `entry` has none of the keys of `set`. */
function absent(entry: RowEntry, set: Record<string, unknown>): boolean {
  return Object.entries(set).every(([key, value]) =>
    key === "report" && entry.report === null && value !== undefined
  );
}

/**
 * Where the line of `entry` (one JSON object and its line end) has its closing brace, and the
 * bytes from there to the end of the line; undefined when the line does not end in a non-empty
 * object within its last 256 bytes.
 */
async function closingBrace(
  reader: RangeReader,
  entry: RowEntry,
): Promise<{ at: number; bytes: Uint8Array } | undefined> {
  const size = Math.min(entry.len, 256);
  const bytes = await reader.bytes(entry.at + entry.len - size, size);
  const space = (byte: number | undefined) =>
    byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
  let close = bytes.length - 1;
  while (close >= 0 && space(bytes[close])) close--;
  if (bytes[close] !== 0x7d /* } */) return undefined;
  let before = close - 1;
  while (before >= 0 && space(bytes[before])) before--;
  if (before < 0 || bytes[before] === 0x7b /* { */) return undefined;
  return { at: entry.at + entry.len - size + close, bytes: bytes.slice(close) };
}

/** Collects small writes into blocks of about 1 MiB for an {@linkcode AtomicFile}. */
class Batch {
  readonly #buffer = new Uint8Array(BATCH);
  #used = 0;
  #flushed = 0;

  constructor(readonly out: AtomicFile) {}

  /** Bytes written so far (flushed or not). */
  get bytes(): number {
    return this.#flushed + this.#used;
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.#used + data.length > this.#buffer.length) await this.flush();
    if (data.length >= this.#buffer.length) {
      await this.out.write(data);
      this.#flushed += data.length;
      return;
    }
    this.#buffer.set(data, this.#used);
    this.#used += data.length;
  }

  async flush(): Promise<void> {
    if (this.#used === 0) return;
    await this.out.write(this.#buffer.subarray(0, this.#used));
    this.#flushed += this.#used;
    this.#used = 0;
  }
}

/** Appends `line` and fsyncs it; returns where it starts and the file's stamp after. */
async function appendLine(path: string, line: string): Promise<{ at: number; stamp: Stamp }> {
  await writable();
  const file = await onDisk(path, () => Deno.open(path, { append: true, create: true }));
  try {
    const info = await file.stat();
    const before = info.size;
    try {
      const bytes = new TextEncoder().encode(`${line}\n`);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } catch (error) {
      const fault = DiskError.from(error, path);
      if (!fault) throw error;
      // No torn row: what was written of this line goes (which also gives the space back). The
      // file is as it was, so its modification time is put back too (the row index stays valid).
      await file.truncate(before).then(() => file.sync()).catch(() => {});
      if (info.mtime) await file.utime(info.atime ?? new Date(), info.mtime).catch(() => {});
      throw fault;
    }
    return { at: before, stamp: stampOf(await file.stat()) };
  } finally {
    file.close();
  }
}

/** Moves an unterminated last line to `<path>.torn`; returns how many bytes were moved. */
async function repairTornTail(path: string): Promise<number> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      await onDisk(path, () => Deno.writeFile(path, new Uint8Array()));
      return 0;
    }
    throw DiskError.from(error, path, "open") ?? error;
  }
  try {
    const size = (await file.stat()).size;
    if (size === 0) return 0;
    // Scan back from the end for the last "\n"; a row can be large, so read in blocks.
    const block = new Uint8Array(64 * 1024);
    let end = size;
    let cut = -1;
    while (end > 0 && cut === -1) {
      const start = Math.max(0, end - block.length);
      await file.seek(start, Deno.SeekMode.Start);
      const view = block.subarray(0, end - start);
      let read = 0;
      while (read < view.length) read += (await file.read(view.subarray(read))) ?? view.length;
      const at = view.lastIndexOf(10);
      if (at !== -1) cut = start + at + 1;
      end = start;
      if (cut === size) return 0; // ends with "\n": nothing torn
    }
    if (cut === -1) cut = 0;
    const tail = new Uint8Array(size - cut);
    await file.seek(cut, Deno.SeekMode.Start);
    let read = 0;
    while (read < tail.length) read += (await file.read(tail.subarray(read))) ?? tail.length;
    const torn = `${path}.torn`;
    await onDisk(torn, () => Deno.writeFile(torn, new Uint8Array([...tail, 10]), { append: true }));
    await onDisk(path, async () => {
      await file.truncate(cut);
      await file.sync();
    });
    return tail.length;
  } finally {
    file.close();
  }
}
