/**
 * A local archive: a path or `file://` URI.
 *
 * @module
 */
import { SourceError, type SourceInfo, type TarSource } from "./tar_source.ts";

/** A file on this machine. */
export class FileSource implements TarSource {
  readonly uri: string;
  readonly display: string;
  readonly local = true;
  readonly path: string;
  #bytesRead = 0;

  /** `path` is absolute; `given` is what the user wrote. */
  constructor(path: string, given: string) {
    this.path = path;
    this.uri = given;
    this.display = given.startsWith("file://") ? given : path;
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  async info(): Promise<SourceInfo> {
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(this.path);
    } catch (error) {
      throw new SourceError(
        error instanceof Deno.errors.NotFound ? "no such file" : `cannot read: ${error}`,
      );
    }
    if (!stat.isFile) throw new SourceError("not a file");
    const real = await Deno.realPath(this.path);
    return {
      size: stat.size,
      identity: `${real}|${stat.size}|${stat.mtime?.getTime() ?? 0}|${stat.ino ?? 0}`,
    };
  }

  async readAt(offset: number, length: number): Promise<Uint8Array> {
    using file = await this.#openFile();
    await file.seek(offset, Deno.SeekMode.Start);
    const buffer = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const n = await file.read(buffer.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    this.#bytesRead += filled;
    return buffer.subarray(0, filled);
  }

  async open(): Promise<ReadableStream<Uint8Array>> {
    const file = await this.#openFile();
    return file.readable.pipeThrough(
      new TransformStream({
        transform: (chunk, controller) => {
          this.#bytesRead += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
  }

  async #openFile(): Promise<Deno.FsFile> {
    try {
      return await Deno.open(this.path, { read: true });
    } catch (error) {
      throw new SourceError(
        error instanceof Deno.errors.NotFound ? "no such file" : `cannot read: ${error}`,
      );
    }
  }
}
