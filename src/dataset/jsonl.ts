/**
 * A streaming JSONL reader: one JSON value per line, read line by line, so a file of any size
 * (a 2 GB dataset) is never held in memory. Errors name the place as `file:line: reason`.
 *
 * ```ts
 * for await (const { line, value } of readJsonl("data/tasks.jsonl")) {
 *   // value is the parsed JSON of line `line` (1-based)
 * }
 * ```
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** One parsed line. */
export interface JsonlRow {
  /** 1-based line number in the file. */
  line: number;
  /** The parsed JSON value. */
  value: unknown;
}

/** Options of {@linkcode readJsonl} and {@linkcode parseJsonl}. */
export interface JsonlOptions {
  /**
   * Called for a line that is not valid JSON, instead of throwing; the line is then skipped.
   * Without it the first bad line throws a {@linkcode ConfigError}.
   */
  onError?: (error: ConfigError) => void;
  /** Stops reading (the file is closed) when aborted. */
  signal?: AbortSignal;
  /** Longest line accepted, in characters; a longer one throws (datasets: {@linkcode MAX_DATASET_LINE}). */
  maxLineChars?: number;
}

/**
 * The longest dataset line velora reads: 32 Mi characters. Real rows (problem statement, patches,
 * test lists) stay far below it; a longer line is almost always a file that is not a dataset.
 */
export const MAX_DATASET_LINE = 32 * 1024 * 1024;

/**
 * Reads a JSONL file lazily. Blank lines are skipped (their numbers still count); a UTF-8 byte
 * order mark and `\r\n` line ends are accepted. Breaking out of the loop closes the file.
 *
 * @throws {ConfigError} `file:line: reason` for a line that is not JSON (unless `onError`), or
 *   `file: no such file` when the file cannot be opened.
 */
export async function* readJsonl(
  path: string,
  options: JsonlOptions = {},
): AsyncGenerator<JsonlRow, void, undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new ConfigError({ file: path }, `cannot read the file: ${reason}`);
  }
  yield* parseJsonl(file.readable, path, options);
}

/**
 * Parses a byte stream of JSONL lazily; `name` is the file name used in error messages. The
 * stream is cancelled when the consumer stops early.
 */
export async function* parseJsonl(
  stream: ReadableStream<Uint8Array>,
  name: string,
  options: JsonlOptions = {},
): AsyncGenerator<JsonlRow, void, undefined> {
  const reader = stream.pipeThrough(new TextDecoderStream("utf-8", { ignoreBOM: false }))
    .getReader();
  const pieces: string[] = []; // the unfinished line, in pieces (a long line is joined once)
  let pending = 0; // characters in pieces
  let line = 0;
  let done = false;
  const parse = (text: string): JsonlRow | undefined => {
    line++;
    const trimmed = text.endsWith("\r") ? text.slice(0, -1) : text;
    if (trimmed.trim() === "") return undefined;
    try {
      return { line, value: JSON.parse(trimmed) };
    } catch (error) {
      const reason = error instanceof SyntaxError ? error.message : String(error);
      const bad = new ConfigError({ file: name, line }, `not valid JSON: ${reason}`);
      if (!options.onError) throw bad;
      options.onError(bad);
      return undefined;
    }
  };
  try {
    while (!done) {
      options.signal?.throwIfAborted();
      const chunk = await reader.read();
      if (chunk.done) {
        done = true;
        if (pieces.length > 0) {
          const row = parse(pieces.join(""));
          pieces.length = 0;
          if (row) yield row;
        }
        break;
      }
      const text = chunk.value;
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        pieces.push(text.slice(start, end));
        start = end + 1;
        const row = parse(pieces.join(""));
        pieces.length = 0;
        pending = 0;
        if (row) yield row;
      }
      if (start < text.length) {
        pieces.push(text.slice(start));
        pending += text.length - start;
        if (options.maxLineChars !== undefined && pending > options.maxLineChars) {
          throw new ConfigError(
            { file: name, line: line + 1 },
            `the line is longer than ${options.maxLineChars / 1024 / 1024} Mi characters, ` +
              "the limit of a dataset line",
          );
        }
      }
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
