/**
 * The live progress view of a run over instances (infer, evaluate, derive). On a terminal: a view
 * redrawn 4×/s (a bar with done/total, cost, elapsed and ETA; counts by status; one line per
 * running instance). Otherwise one plain line per instance started and finished.
 *
 * @module
 */
import logUpdate from "log-update";
import { formatSeconds } from "./format.ts";

/** The state the live view shows. */
export interface ProgressState {
  total: number;
  done: number;
  cost: number;
  elapsedSeconds: number;
  statuses: Map<string, number>;
  running: Map<string, { iteration: number; last: string; startedAt: number }>;
  now: number;
  /** Show the cost (runs that spend money). @default true */
  showCost?: boolean;
  /** Show each running instance's step count. @default true */
  showSteps?: boolean;
}

/** Renders the live view (pure). */
export function renderProgress(state: ProgressState, width = 100): string {
  const ratio = state.total === 0 ? 1 : state.done / state.total;
  const barWidth = 30;
  const filled = Math.round(ratio * barWidth);
  const eta = state.done === 0
    ? "?"
    : formatSeconds((state.elapsedSeconds / state.done) * (state.total - state.done));
  const cost = state.showCost === false ? "" : ` $${state.cost.toFixed(2)} `;
  const lines = [
    `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${state.done}/${state.total}${cost} ` +
    `elapsed ${formatSeconds(state.elapsedSeconds)}  eta ${eta}`,
  ];
  const statuses = [...state.statuses].sort((a, b) => b[1] - a[1]);
  for (const [status, count] of statuses) lines.push(`  ${String(count).padStart(5)}  ${status}`);
  for (const [id, run] of state.running) {
    const elapsed = formatSeconds((state.now - run.startedAt) / 1000);
    const step = state.showSteps === false ? "" : ` step ${String(run.iteration).padStart(3)} `;
    lines.push(`  > ${id.slice(-35).padEnd(35)}${step} ${elapsed.padStart(8)}  ${run.last}`);
  }
  return lines.map((line) => line.slice(0, width)).join("\n");
}

/** Options of {@linkcode LiveProgress}. */
export interface LiveProgressOptions {
  /** Track and show cost. @default true */
  cost?: boolean;
  /** Show each running instance's step count. @default true */
  steps?: boolean;
  /** Redraw a live view (default: when stdout is a terminal and `CI` is not set). */
  live?: boolean;
}

/** How an instance finished. */
export interface Finish {
  /** The status it is counted under (`ok`, `resolved`, `error: ...`). */
  status: string;
  /** The plain line's text after the id (default: the status). */
  detail?: string;
  /** What it cost (runs that track cost). */
  cost?: number;
}

/** Tracks and shows a run's progress: live on a terminal, plain lines through `log` otherwise. */
export class LiveProgress {
  readonly #state: ProgressState;
  readonly #started = Date.now();
  readonly #live: boolean;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  readonly #cost: boolean;

  constructor(
    total: number,
    readonly log: (line: string) => void,
    options: LiveProgressOptions = {},
  ) {
    this.#cost = options.cost !== false;
    this.#state = {
      total,
      done: 0,
      cost: 0,
      elapsedSeconds: 0,
      statuses: new Map(),
      running: new Map(),
      now: Date.now(),
      ...(this.#cost ? {} : { showCost: false }),
      ...(options.steps === false ? { showSteps: false } : {}),
    };
    this.#live = options.live ?? (Deno.stdout.isTerminal() && !Deno.env.get("CI"));
    this.#timer = this.#live ? setInterval(() => this.#draw(), 250) : undefined;
  }

  /** An instance started. */
  start(id: string, last = "starting") {
    this.#state.running.set(id, { iteration: 0, last, startedAt: Date.now() });
    if (!this.#live) this.log(`[${this.#state.done}/${this.#state.total}] ${id}: started`);
  }

  /** What a running instance does now; `step` counts one more step. */
  note(id: string, last: string, step = false) {
    const run = this.#state.running.get(id);
    if (!run) return;
    if (step) run.iteration++;
    run.last = last.replaceAll("\n", " ").slice(0, 60);
  }

  /** An instance finished. */
  finish(id: string, how: Finish) {
    const s = this.#state;
    s.running.delete(id);
    s.done++;
    s.cost += how.cost ?? 0;
    s.statuses.set(how.status, (s.statuses.get(how.status) ?? 0) + 1);
    if (!this.#live) {
      const cost = this.#cost
        ? ` ($${(how.cost ?? 0).toFixed(4)}, total $${s.cost.toFixed(4)})`
        : "";
      this.log(`[${s.done}/${s.total}] ${id}: ${how.detail ?? how.status}${cost}`);
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
