/**
 * What an image archive source is: its interface, its error, and the form of its URI that is safe
 * to show. The kinds of source (file, HTTP, S3) implement it; `source.ts` picks one for a URI.
 *
 * URIs may carry secrets (a presigned URL's query, `user:pass@`): {@linkcode displayUri} is the
 * form written to logs, records and summaries.
 *
 * @module
 */
import { VeloraError } from "../errors.ts";

/** What a source is, as far as skipping goes. */
export interface SourceInfo {
  /** Total size in bytes, when known. */
  size: number | undefined;
  /** Changes when the object changes (ETag, mtime), together with the URI. */
  identity: string;
}

/** An image archive to load. */
export interface TarSource {
  /** The URI as given (may hold secrets: never log it). */
  readonly uri: string;
  /** The URI without secrets, for logs and records. */
  readonly display: string;
  /** True for a file on this machine (reads are cheap). */
  readonly local: boolean;
  /** Bytes read from the origin so far (ranges and streams). */
  readonly bytesRead: number;
  /** Size and identity; throws {@linkcode SourceError} when the object is missing or denied. */
  info(signal?: AbortSignal): Promise<SourceInfo>;
  /**
   * Reads `length` bytes at `offset` (fewer at the end), or `undefined` when the origin cannot
   * read ranges (a server that ignores `Range`).
   */
  readAt(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  /** Streams the whole archive. */
  open(signal?: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

/** A source that cannot be read: the message is one line, without the URI. Exit 1. */
export class SourceError extends VeloraError {
  // Shown as before in logs and records: "Error: HTTP 404 Not Found".
  override name = "Error";
}

/** Removes `user:password@` and the query (presigned signatures) from a URL for display. */
export function displayUri(uri: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?#]*@)?([^?#]*)(\?[^#]*)?/i.exec(uri);
  if (!match) return uri;
  return match[1]! + match[2]! + (match[3] ? "?…" : "");
}
