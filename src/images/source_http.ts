/**
 * An archive behind an `http://` or `https://` URL, read with `fetch` (ranges with `Range:`).
 *
 * @module
 */
import { displayUri, SourceError, type SourceInfo, type TarSource } from "./tar_source.ts";

/** An HTTP(S) URL. */
export class HttpSource implements TarSource {
  readonly uri: string;
  readonly display: string;
  readonly local = false;
  #bytesRead = 0;

  constructor(uri: string) {
    this.uri = uri;
    this.display = displayUri(uri);
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  async info(signal?: AbortSignal): Promise<SourceInfo> {
    let response = await this.#fetch("HEAD", undefined, signal);
    if (response.status === 405 || response.status === 501) {
      // No HEAD: ask for one byte instead and drop the body.
      response = await this.#fetch("GET", "bytes=0-0", signal);
      await response.body?.cancel();
    }
    if (!response.ok) throw httpError(response);
    const range = /\/(\d+)$/.exec(response.headers.get("content-range") ?? "")?.[1];
    const length = response.headers.get("content-length");
    const size = range !== undefined
      ? Number(range)
      : response.status === 200 && length !== null
      ? Number(length)
      : undefined;
    const tag = response.headers.get("etag") ?? response.headers.get("last-modified") ?? "";
    return { size, identity: `${tag}|${size ?? ""}` };
  }

  async readAt(
    offset: number,
    length: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array | undefined> {
    if (length === 0) return new Uint8Array(0);
    const response = await this.#fetch("GET", `bytes=${offset}-${offset + length - 1}`, signal);
    if (response.status === 416) {
      await response.body?.cancel();
      return new Uint8Array(0);
    }
    if (!response.ok) throw httpError(response);
    if (response.status !== 206) {
      // The server ignores Range: read the head if that is what was asked, else give up.
      if (offset !== 0) {
        await response.body?.cancel();
        return undefined;
      }
      return await this.#readPrefix(response.body, length);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    this.#bytesRead += bytes.length;
    return bytes;
  }

  async open(signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const response = await this.#fetch("GET", undefined, signal);
    if (!response.ok) {
      await response.body?.cancel();
      throw httpError(response);
    }
    if (!response.body) throw new SourceError("the server sent no body");
    return response.body.pipeThrough(
      new TransformStream({
        transform: (chunk, controller) => {
          this.#bytesRead += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
  }

  async #readPrefix(body: ReadableStream<Uint8Array> | null, length: number) {
    const out = new Uint8Array(length);
    let filled = 0;
    if (!body) return out.subarray(0, 0);
    const reader = body.getReader();
    try {
      while (filled < length) {
        const { done, value } = await reader.read();
        if (done) break;
        const part = value.subarray(0, length - filled);
        out.set(part, filled);
        filled += part.length;
        this.#bytesRead += value.length;
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    return out.subarray(0, filled);
  }

  async #fetch(method: string, range: string | undefined, signal?: AbortSignal) {
    const headers = new Headers();
    if (range) headers.set("range", range);
    // Ask for the bytes as stored: a transparently decompressed body would break ranges.
    headers.set("accept-encoding", "identity");
    try {
      return await fetch(this.uri, { method, headers, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new SourceError(`cannot connect: ${messageOf(error)}`);
    }
  }
}

function httpError(response: Response): SourceError {
  response.body?.cancel().catch(() => {});
  return new SourceError(`HTTP ${response.status} ${response.statusText}`.trimEnd());
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // fetch puts the URL (which may hold a presigned query) in some messages.
  return text.replace(/https?:\/\/\S+/g, (url) => displayUri(url));
}
