/**
 * The one atomic file writer: text goes to a temp file beside the target, is flushed to disk
 * (fsync) and renamed over the target, so a reader sees the old file or the new one, never half
 * of one. A write that fails removes its temp file.
 *
 * After {@linkcode freezeWrites} (the second ^C, just before velora exits) no write completes, so
 * work cut short while the process cleans up cannot record a result it did not reach.
 *
 * Also the checks that a file a setting names is there, before a run writes anything.
 *
 * @module
 */
import { UsageError } from "./errors.ts";

const FLUSH_AT = 1 << 20;
let tempCount = 0;
let frozen: Promise<never> | undefined;

/** From now on, atomic writes and {@linkcode writable} waits never complete. */
export function freezeWrites(): void {
  frozen ??= new Promise<never>(() => {});
}

/** Resolves at once while writes are allowed; never after {@linkcode freezeWrites}. */
export function writable(): Promise<void> {
  return frozen ?? Promise.resolve();
}

/** A file written under a temp name and renamed into place by {@linkcode AtomicFile.commit}. */
export class AtomicFile {
  readonly #encoder = new TextEncoder();
  #pending: string[] = [];
  #pendingSize = 0;
  #bytes = 0;
  #closed = false;

  private constructor(readonly path: string, readonly temp: string, readonly file: Deno.FsFile) {}

  /** Opens `<path>.tmp-<pid>-<n>` for writing. */
  static async open(path: string): Promise<AtomicFile> {
    await writable();
    const temp = `${path}.tmp-${Deno.pid}-${++tempCount}`;
    return new AtomicFile(
      path,
      temp,
      await Deno.open(temp, { write: true, create: true, truncate: true }),
    );
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.#bytes + this.#encoder.encode(this.#pending.join("")).length;
  }

  /** Appends text (buffered up to 1 MiB). */
  async text(text: string): Promise<void> {
    this.#pending.push(text);
    this.#pendingSize += text.length;
    if (this.#pendingSize >= FLUSH_AT) await this.#flush();
  }

  /** Appends a value as one JSON line. */
  line(value: unknown): Promise<void> {
    return this.text(JSON.stringify(value) + "\n");
  }

  /** Flushes to disk and renames the file into place; on failure the temp file is removed. */
  async commit(): Promise<void> {
    try {
      await this.#flush();
      await this.file.sync();
      this.#close();
      await writable();
      await Deno.rename(this.temp, this.path);
    } catch (error) {
      await this.abandon();
      throw error;
    }
  }

  /** Closes and removes the temp file; the target is left as it was. */
  async abandon(): Promise<void> {
    this.#close();
    await Deno.remove(this.temp).catch(() => {});
  }

  async #flush(): Promise<void> {
    const data = this.#encoder.encode(this.#pending.join(""));
    this.#pending = [];
    this.#pendingSize = 0;
    for (let at = 0; at < data.length;) at += await this.file.write(data.subarray(at));
    this.#bytes += data.length;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.file.close();
  }
}

/**
 * Writes `content` (a string, or pieces of one) to `path` atomically and returns the bytes
 * written. On failure, the target keeps its old content and no temp file is left.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Iterable<string> | AsyncIterable<string>,
): Promise<number> {
  const file = await AtomicFile.open(path);
  try {
    if (typeof content === "string") await file.text(content);
    else for await (const piece of content) await file.text(piece);
  } catch (error) {
    await file.abandon();
    throw error;
  }
  await file.commit();
  return file.bytes;
}

/** Whether `path` is a regular file (false when it does not exist or cannot be seen). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Checks that the file a setting names can be read: a usage error naming `key` otherwise. */
export async function readableFile(path: string, key: string): Promise<void> {
  try {
    const file = await Deno.open(path, { read: true });
    file.close();
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new UsageError(`${key}: cannot read "${path}": ${reason}`);
  }
}
