/**
 * The one atomic file writer: text goes to a temp file beside the target, is flushed to disk
 * (fsync) and renamed over the target, so a reader sees the old file or the new one, never half
 * of one. A write that fails removes its temp file.
 *
 * After {@linkcode freezeWrites} (the second ^C, just before velora exits) no write completes, so
 * work cut short while the process cleans up cannot record a result it did not reach.
 *
 * Disk faults: every writer here, and {@linkcode onDisk} around any other file operation on
 * velora's outputs, turns an OS error of a full, read-only or refusing disk (`ENOSPC`, `EDQUOT`,
 * `EROFS`, `EACCES`, ...) into a {@linkcode DiskError} naming the path, which `main.ts` prints as
 * one line (exit 1). Code that catches failures to record them (an instance's error row, an
 * evaluation's `error_infra`) lets a `DiskError` through: the run stops instead.
 *
 * Also the checks that a file a setting names is there, before a run writes anything.
 *
 * @module
 */
import { DiskError, UsageError } from "./errors.ts";

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

/**
 * Runs a file operation on `path`; an OS disk fault it throws becomes a {@linkcode DiskError}
 * naming `path` (`verb` says what failed: "write", "create", "open"...). Other errors pass as
 * they are.
 */
export async function onDisk<T>(path: string, op: () => Promise<T>, verb = "write"): Promise<T> {
  try {
    return await op();
  } catch (error) {
    throw DiskError.from(error, path, verb) ?? error;
  }
}

/** {@linkcode onDisk} for a synchronous operation. */
export function onDiskSync<T>(path: string, op: () => T, verb = "write"): T {
  try {
    return op();
  } catch (error) {
    throw DiskError.from(error, path, verb) ?? error;
  }
}

/** Creates a folder and its parents (nothing when it exists). */
export function makeDir(path: string): Promise<void> {
  return onDisk(path, () => Deno.mkdir(path, { recursive: true }), "create");
}

/**
 * Writes a whole file in place (not atomically: for files that are only ever written whole and
 * read after, like logs and test output). `createNew` fails with `AlreadyExists` when the file
 * exists. When a write fails the part written is removed, so no cut-short file is left.
 */
export async function writeTextFile(
  path: string,
  text: string,
  options: { createNew?: boolean } = {},
): Promise<void> {
  const file = await onDisk(path, () =>
    Deno.open(path, {
      write: true,
      ...(options.createNew ? { createNew: true } : { create: true, truncate: true }),
    }));
  try {
    await writeAll(file, new TextEncoder().encode(text));
  } catch (error) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw DiskError.from(error, path) ?? error;
  }
  file.close();
}

/** A file lines are appended to (a log); a write that fails throws a {@linkcode DiskError}. */
export class AppendFile implements Disposable {
  readonly #encoder = new TextEncoder();
  #closed = false;

  private constructor(readonly path: string, readonly file: Deno.FsFile) {}

  /** Opens (creating if needed) `path` for appending; `truncate` empties it first. */
  static async open(path: string, options: { truncate?: boolean } = {}): Promise<AppendFile> {
    const file = await onDisk(path, () =>
      Deno.open(
        path,
        options.truncate
          ? { write: true, create: true, truncate: true }
          : { append: true, create: true },
      ));
    return new AppendFile(path, file);
  }

  /** Appends text at once (synchronously, so lines keep their order). */
  write(text: string): void {
    const data = this.#encoder.encode(text);
    onDiskSync(this.path, () => {
      for (let at = 0; at < data.length;) at += this.file.writeSync(data.subarray(at));
    });
  }

  /** Closes the file (twice is once). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.file.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length;) at += await file.write(data.subarray(at));
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
      await onDisk(path, () => Deno.open(temp, { write: true, create: true, truncate: true })),
    );
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.#bytes + this.#encoder.encode(this.#pending.join("")).length;
  }

  /** Appends text (buffered up to 1 MiB). A write that fails removes the temp file. */
  async text(text: string): Promise<void> {
    this.#pending.push(text);
    this.#pendingSize += text.length;
    if (this.#pendingSize < FLUSH_AT) return;
    try {
      await this.#flush();
    } catch (error) {
      await this.abandon();
      throw error;
    }
  }

  /** Appends bytes as they are (after any buffered text). A write that fails removes the temp file. */
  async write(data: Uint8Array): Promise<void> {
    try {
      if (this.#pending.length > 0) await this.#flush();
      await onDisk(this.path, () => writeAll(this.file, data));
      this.#bytes += data.length;
    } catch (error) {
      await this.abandon();
      throw error;
    }
  }

  /** Appends a value as one JSON line. */
  line(value: unknown): Promise<void> {
    return this.text(JSON.stringify(value) + "\n");
  }

  /** Flushes to disk and renames the file into place; on failure the temp file is removed. */
  async commit(): Promise<void> {
    try {
      await this.#flush();
      await onDisk(this.path, () => this.file.sync());
      this.#close();
      await writable();
      await onDisk(this.path, () => Deno.rename(this.temp, this.path));
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
    await onDisk(this.path, () => writeAll(this.file, data));
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

/** Whether anything (a file, a folder, a link) is at `path`; false when it cannot be seen. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
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
