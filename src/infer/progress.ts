/**
 * Progress of an infer run. On a terminal: a live view refreshed 4×/s (overall bar with
 * done/total, cost, elapsed and ETA; exit-status counts; one line per running instance). Otherwise
 * one plain line per instance event.
 *
 * @module
 */
import logUpdate from "log-update";
import type { EventDict } from "../agent/events.ts";
import { formatSeconds } from "../format.ts";

/** The state the live view shows. */
export interface ProgressState {
  total: number;
  done: number;
  cost: number;
  elapsedSeconds: number;
  statuses: Map<string, number>;
  running: Map<string, { iteration: number; last: string; startedAt: number }>;
  now: number;
}

/** Renders the live view (pure). */
export function renderProgress(state: ProgressState, width = 100): string {
  const ratio = state.total === 0 ? 1 : state.done / state.total;
  const barWidth = 30;
  const filled = Math.round(ratio * barWidth);
  const eta = state.done === 0
    ? "?"
    : formatSeconds((state.elapsedSeconds / state.done) * (state.total - state.done));
  const lines = [
    `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${state.done}/${state.total} ` +
    `$${state.cost.toFixed(2)}  elapsed ${formatSeconds(state.elapsedSeconds)}  eta ${eta}`,
  ];
  const statuses = [...state.statuses].sort((a, b) => b[1] - a[1]);
  for (const [status, count] of statuses) lines.push(`  ${String(count).padStart(5)}  ${status}`);
  for (const [id, run] of state.running) {
    const elapsed = formatSeconds((state.now - run.startedAt) / 1000);
    lines.push(
      `  > ${id.slice(-35).padEnd(35)} step ${String(run.iteration).padStart(3)}  ${
        elapsed.padStart(8)
      }  ${run.last}`,
    );
  }
  return lines.map((line) => line.slice(0, width)).join("\n");
}

/** Tracks and shows an infer run's progress. */
export class InferProgress {
  readonly #state: ProgressState;
  readonly #started = Date.now();
  readonly #live: boolean;
  readonly #timer: ReturnType<typeof setInterval> | undefined;

  constructor(total: number, readonly log: (line: string) => void) {
    this.#state = {
      total,
      done: 0,
      cost: 0,
      elapsedSeconds: 0,
      statuses: new Map(),
      running: new Map(),
      now: Date.now(),
    };
    this.#live = Deno.stdout.isTerminal() && !Deno.env.get("CI");
    this.#timer = this.#live ? setInterval(() => this.#draw(), 250) : undefined;
  }

  /** An instance started. */
  start(id: string) {
    this.#state.running.set(id, { iteration: 0, last: "starting", startedAt: Date.now() });
    if (!this.#live) this.log(`[${this.#state.done}/${this.#state.total}] ${id}: started`);
  }

  /** An instance's agent produced an event. */
  step(id: string, event: EventDict) {
    const run = this.#state.running.get(id);
    if (!run || !("action" in event) || event.source !== "agent") return;
    run.iteration++;
    const command = typeof event.args.command === "string" ? ` ${event.args.command}` : "";
    run.last = `${event.action}${command}`.replaceAll("\n", " ").slice(0, 60);
  }

  /** An instance finished with a status (`ok` or `error: ...`) and its cost. */
  finish(id: string, status: string, cost: number) {
    const s = this.#state;
    s.running.delete(id);
    s.done++;
    s.cost += cost;
    const key = status.startsWith("error") ? status.slice(0, 60) : status;
    s.statuses.set(key, (s.statuses.get(key) ?? 0) + 1);
    if (!this.#live) {
      this.log(
        `[${s.done}/${s.total}] ${id}: ${status} ($${cost.toFixed(4)}, total $${
          s.cost.toFixed(4)
        })`,
      );
    }
  }

  /** Stops the live view, leaving its last frame. */
  close() {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#live) {
      this.#draw();
      logUpdate.done();
    }
  }

  #draw() {
    this.#state.now = Date.now();
    this.#state.elapsedSeconds = (Date.now() - this.#started) / 1000;
    logUpdate(
      renderProgress(this.#state, Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 100),
    );
  }
}
