/**
 * Streaming one archive into the engine's load endpoint: no copy on disk (unless a folder to keep
 * remote archives in is given), byte progress lines, a stall timeout, and for a plain tar a
 * structure check that names a truncation. Every failure is one line ({@linkcode failureReason}).
 *
 * @module
 */
import { basename, join } from "node:path";
import { ImageLoadError } from "../docker/images.ts";
import type { ImageEngine } from "./engine.ts";
import { progressCounter } from "./progress.ts";
import { FileSource } from "./source_file.ts";
import { tarChecker, TarFormatError } from "./tar.ts";
import { displayUri, SourceError, type SourceInfo, type TarSource } from "./tar_source.ts";

/** What {@linkcode transferArchive} needs besides the source. */
export interface TransferOptions {
  engine: ImageEngine;
  /** The source's display form, for lines. */
  display: string;
  /** True: check the tar structure as it streams (a plain, uncompressed tar). */
  plainTar: boolean | undefined;
  /** Keep a copy of remote archives here (and load from it when it is already there). */
  keepTarsDir?: string | undefined;
  log: (line: string) => void;
  /** Milliseconds between progress lines. @default 5000 */
  progressIntervalMs?: number | undefined;
  /** A transfer that receives no byte for this long fails. @default 300000 (5 minutes) */
  stallTimeoutMs?: number | undefined;
  /**
   * Aborts the transfer: the archive's stream is cut, so the engine loads nothing, and its answer
   * is awaited ({@linkcode ENGINE_GRACE_MS} at most) before the error is thrown.
   */
  signal?: AbortSignal | undefined;
}

/** How long an aborted transfer waits for the engine to answer before it drops the request. */
export const ENGINE_GRACE_MS = 30_000;

/** What the engine loaded: the refs and image ids it answered, and the bytes sent. */
export interface Transferred {
  refs: string[];
  ids: string[];
  bytes: number;
}

/** Streams the archive into the engine. */
export async function transferArchive(
  source: TarSource,
  info: SourceInfo,
  options: TransferOptions,
): Promise<Transferred> {
  const { engine, display, signal } = options;
  let from = source;
  let keep: { path: string; partial: string; file: Deno.FsFile } | undefined;
  if (options.keepTarsDir && !source.local) {
    const path = join(
      options.keepTarsDir,
      basename(display.replace(/\?.*$/, "")) || "archive.tar",
    );
    const kept = await Deno.stat(path).catch(() => undefined);
    if (kept?.isFile && info.size !== undefined && kept.size === info.size) {
      options.log(`${display}: loading the kept copy ${path}`);
      from = new FileSource(path, path);
    } else {
      await Deno.mkdir(options.keepTarsDir, { recursive: true });
      const partial = `${path}.partial`;
      const file = await Deno.open(partial, { write: true, create: true, truncate: true });
      keep = { path, partial, file };
    }
  }
  const counter = progressCounter(
    `loading ${display}`,
    info.size,
    options.log,
    options.progressIntervalMs,
  );
  const stallMs = options.stallTimeoutMs ?? 300_000;
  const stall = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stall.abort(new SourceError(`no data for ${Math.round(stallMs / 1000)} s: gave up`));
    }, stallMs);
  };
  try {
    arm();
    const opened = await from.open(signal ? AbortSignal.any([signal, stall.signal]) : stall.signal);
    let stream = opened.pipeThrough(
      new TransformStream({
        transform(chunk, controller) {
          // A source that ignores the signal (a file) is cut here.
          if (signal?.aborted) throw signal.reason;
          arm();
          controller.enqueue(chunk);
        },
        flush() {
          clearTimeout(timer);
        },
      }),
    ).pipeThrough(counter.stream);
    if (options.plainTar) stream = stream.pipeThrough(tarChecker());
    if (keep) {
      const file = keep.file;
      stream = stream.pipeThrough(
        new TransformStream({
          async transform(chunk, controller) {
            let written = 0;
            while (written < chunk.length) written += await file.write(chunk.subarray(written));
            controller.enqueue(chunk);
          },
        }),
      );
    }
    let result: { refs: string[]; ids: string[] };
    // The request itself is dropped only if the engine does not answer a cut stream in time:
    // dropped at once, an engine that already had the whole archive would load it unseen.
    const drop = new AbortController();
    let grace: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => (grace = setTimeout(() => drop.abort(signal?.reason), ENGINE_GRACE_MS));
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      result = await engine.load(stream, drop.signal);
    } catch (error) {
      if (
        signal?.aborted || error instanceof ImageLoadError || error instanceof TarFormatError ||
        error instanceof SourceError
      ) throw error;
      const of = info.size === undefined ? "" : ` of ${info.size}`;
      throw new SourceError(
        `the transfer broke off after ${counter.bytes()}${of} bytes: ${failureReason(error)}`,
      );
    } finally {
      clearTimeout(grace);
      signal?.removeEventListener("abort", onAbort);
    }
    const bytes = counter.bytes();
    if (info.size !== undefined && bytes !== info.size) {
      throw new SourceError(`truncated download: got ${bytes} of ${info.size} bytes`);
    }
    if (keep) {
      keep.file.close();
      await Deno.rename(keep.partial, keep.path);
      keep = undefined;
    }
    return { ...result, bytes };
  } finally {
    clearTimeout(timer);
    if (keep) {
      try {
        keep.file.close();
      } catch { /* closed */ }
      await Deno.remove(keep.partial).catch(() => {});
    }
  }
}

/** One line for a failure, without secrets. */
export function failureReason(error: unknown): string {
  if (error instanceof SourceError || error instanceof TarFormatError) return error.message;
  if (error instanceof ImageLoadError) return `the engine could not load it: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/https?:\/\/\S+/g, (url) => displayUri(url)).replace(/\s+/g, " ");
}
