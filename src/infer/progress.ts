/**
 * Progress of an infer run: the shared live view (`src/progress.ts`), with each running
 * instance's agent steps and last action.
 *
 * @module
 */
import type { EventDict } from "../agent/events.ts";
import { LiveProgress } from "../progress.ts";

export { type ProgressState, renderProgress } from "../progress.ts";

/** Tracks and shows an infer run's progress. */
export class InferProgress {
  readonly #view: LiveProgress;

  constructor(total: number, log: (line: string) => void) {
    this.#view = new LiveProgress(total, log);
  }

  /** An instance started. */
  start(id: string) {
    this.#view.start(id);
  }

  /** An instance's agent produced an event. */
  step(id: string, event: EventDict) {
    if (!("action" in event) || event.source !== "agent") return;
    const command = typeof event.args.command === "string" ? ` ${event.args.command}` : "";
    this.#view.note(id, `${event.action}${command}`, true);
  }

  /** An instance finished with a status (`ok` or `error: ...`) and its cost. */
  finish(id: string, status: string, cost: number) {
    const key = status.startsWith("error") ? status.slice(0, 60) : status;
    this.#view.finish(id, { status: key, detail: status, cost });
  }

  /** Stops the live view, leaving its last frame. */
  close() {
    this.#view.close();
  }
}
