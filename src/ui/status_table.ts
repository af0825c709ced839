/**
 * Renders a run's phases as a plain-text table (pure: state in, text out).
 *
 * @module
 */
import { formatSeconds } from "../format.ts";
import type { PhaseState, RunState } from "../pipeline/state.ts";

/** What the table needs beyond the state file. */
export interface StatusView {
  state: RunState;
  runDir: string;
  /** PID of the velora process driving the run, if any. */
  holder?: number;
  /** Keys changed since a done phase ran, by phase name (when a pipeline file was given). */
  changed?: Map<string, string[]>;
  /** The time to measure running phases against. */
  now?: Date;
}

/** Renders the status table with a header line. */
export function renderStatus(view: StatusView): string {
  const now = view.now ?? new Date();
  const driver = view.holder === undefined ? "not running" : `running (PID ${view.holder})`;
  const rows = view.state.phases.map((phase) => [
    phase.name,
    phase.kind,
    stateText(phase, view),
    duration(phase, now),
    summaryText(phase),
  ]);
  const header = ["PHASE", "KIND", "STATE", "DURATION", "SUMMARY"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")
      .trimEnd();
  return [
    `Run "${view.state.name}" in ${view.runDir}: ${driver}`,
    line(header),
    ...rows.map(line),
  ].join("\n");
}

function stateText(phase: PhaseState, view: StatusView): string {
  if (phase.status === "running" && view.holder === undefined) return "running (stale)";
  const changed = view.changed?.get(phase.name);
  if (phase.status === "done" && changed?.length) return `done (changed: ${changed.join(", ")})`;
  return phase.status;
}

function duration(phase: PhaseState, now: Date): string {
  if (!phase.started_at) return "-";
  const end = phase.ended_at ? new Date(phase.ended_at) : now;
  return formatSeconds((end.getTime() - new Date(phase.started_at).getTime()) / 1000);
}

function summaryText(phase: PhaseState): string {
  if (phase.error) return phase.error;
  if (!phase.summary) return "";
  return Object.entries(phase.summary).map(([key, value]) => `${key}=${value}`).join(" ");
}
