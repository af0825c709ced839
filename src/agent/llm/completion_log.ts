/**
 * Writes one JSON file per completion, as OpenHands' `log_completions` does:
 * `<dir>/<model with "/" → "__">-<unix time>.json` holding `messages`, `response`, `args`,
 * `kwargs` (tools and sampling parameters), `timestamp` and `cost`. The process's secrets
 * (`redact.ts`) are masked in the text before it is written.
 *
 * @module
 */
import { join } from "node:path";
import { makeDir, writeTextFile } from "../../fs.ts";
import { redact } from "../../redact.ts";

/** One logged completion. */
export interface CompletionRecord {
  messages: unknown[];
  response: unknown;
  /** The request parameters besides `messages` (tools, temperature, ...). */
  kwargs: Record<string, unknown>;
  cost: number;
}

/** Logs completions of one instance into one directory (created on first write). */
export class CompletionLog {
  readonly #dir: string;
  readonly #prefix: string;
  #created = false;

  /**
   * @param dir the instance's directory, e.g. `<out>/llm_completions/<instance_id>`
   * @param model the configured model name
   */
  constructor(dir: string, model: string) {
    this.#dir = dir;
    this.#prefix = model.replaceAll("/", "__").replace(/[^\w.@+=-]/g, "_");
  }

  /**
   * Writes one record; returns the file's path. Throws a `DiskError` when the disk refuses it
   * (no part of the file is left).
   */
  async write(record: CompletionRecord): Promise<string> {
    if (!this.#created) {
      await makeDir(this.#dir);
      this.#created = true;
    }
    const timestamp = (performance.timeOrigin + performance.now()) / 1000;
    const text = redact(
      JSON.stringify({
        messages: record.messages,
        response: record.response,
        args: [],
        kwargs: record.kwargs,
        timestamp,
        cost: record.cost,
      }),
    );
    for (let bump = 0;; bump++) {
      const path = join(this.#dir, `${this.#prefix}-${(timestamp + bump / 1e6).toFixed(6)}.json`);
      try {
        await writeTextFile(path, text, { createNew: true });
        return path;
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
    }
  }
}
