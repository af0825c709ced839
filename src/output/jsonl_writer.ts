/**
 * `output.jsonl`: rows appended one at a time, each written whole and fsynced. An append the disk
 * refuses (full, read-only) is cut back to the file's previous length and throws a `DiskError`,
 * so the file keeps only whole rows. A crash can leave at most one torn last line; opening the
 * file moves it to `output.jsonl.torn` (never silently dropped) so every remaining line is a
 * complete row.
 *
 * @module
 */
import { readJsonl } from "../dataset/jsonl.ts";
import { DiskError } from "../errors.ts";
import { onDisk, writable, writeFileAtomic } from "../fs.ts";

/** An append-only JSONL file of rows keyed by `instance_id`. */
export class JsonlWriter {
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly path: string, readonly repairedBytes: number) {}

  /** Opens (creating if needed) and repairs a torn last line. */
  static async open(path: string): Promise<JsonlWriter> {
    return new JsonlWriter(path, await repairTornTail(path));
  }

  /** The rows in the file, keyed by `instance_id` (the last row of an id wins). */
  async rows(): Promise<Map<string, Record<string, unknown>>> {
    const rows = new Map<string, Record<string, unknown>>();
    for await (const { value } of readJsonl(this.path)) {
      const row = value as Record<string, unknown>;
      if (typeof row?.instance_id === "string") rows.set(row.instance_id, row);
    }
    return rows;
  }

  /**
   * Appends one row as one line and fsyncs it; when the disk refuses it, the file is cut back to
   * its previous length and a {@linkcode DiskError} is thrown. Calls are serialized.
   */
  append(row: Record<string, unknown>): Promise<void> {
    return this.#serialize(() => appendLine(this.path, JSON.stringify(row)));
  }

  /** Replaces the rows with these ids (rewriting the file atomically) and appends the new ones. */
  replace(rows: Record<string, unknown>[]): Promise<void> {
    return this.#serialize(async () => {
      const ids = new Set(rows.map((row) => row.instance_id));
      const kept: string[] = [];
      for await (const { value } of readJsonl(this.path)) {
        if (!ids.has((value as Record<string, unknown>)?.instance_id)) {
          kept.push(JSON.stringify(value));
        }
      }
      const text = [...kept, ...rows.map((row) => JSON.stringify(row))].map((l) => `${l}\n`).join(
        "",
      );
      await writeFileAtomic(this.path, text);
    });
  }

  /** Rewrites every row through `update`, keeping the order, atomically. */
  update(update: (row: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    return this.#serialize(async () => {
      const lines: string[] = [];
      for await (const { value } of readJsonl(this.path)) {
        lines.push(`${JSON.stringify(update(value as Record<string, unknown>))}\n`);
      }
      await writeFileAtomic(this.path, lines.join(""));
    });
  }

  #serialize(task: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(task);
    this.#queue = next.catch(() => {});
    return next;
  }
}

async function appendLine(path: string, line: string): Promise<void> {
  await writable();
  const file = await onDisk(path, () => Deno.open(path, { append: true, create: true }));
  try {
    const before = (await file.stat()).size;
    try {
      const bytes = new TextEncoder().encode(`${line}\n`);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } catch (error) {
      const fault = DiskError.from(error, path);
      if (!fault) throw error;
      // No torn row: what was written of this line goes (which also gives the space back).
      await file.truncate(before).then(() => file.sync()).catch(() => {});
      throw fault;
    }
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
