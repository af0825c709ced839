/**
 * The run's state file, `<run dir>/velora-state.json`: one entry per phase with its status,
 * times, parameter fingerprint and result summary. Every write is atomic (temp + fsync + rename).
 *
 * The pipeline file's text and the `--set` list are stored, never resolved values: those may come
 * from the environment and hold secrets.
 *
 * @module
 */
import { join } from "node:path";
import { UsageError } from "../errors.ts";
import { writeFileAtomic } from "../fs.ts";
import { redact } from "../redact.ts";
import type { PhaseSummary } from "./phase.ts";
import type { Fingerprint } from "./fingerprint.ts";
import type { InputDigests } from "./input_digest.ts";

/** Where a phase stands. `interrupted` is a phase stopped by ^C; it resumes like `running`. */
export type PhaseStatus = "pending" | "running" | "done" | "failed" | "interrupted";

/** One phase's record. */
export interface PhaseState {
  name: string;
  kind: string;
  status: PhaseStatus;
  fingerprint: Fingerprint;
  /** How many times the phase was started. */
  attempts: number;
  started_at?: string;
  ended_at?: string;
  summary?: PhaseSummary;
  error?: string;
  /** Digests of the files the phase read, as it finished (see `input_digest.ts`). */
  inputs?: InputDigests;
}

/** The whole state file. */
export interface RunState {
  version: 1;
  name: string;
  pipeline: { file: string; text: string; overrides: string[] };
  created_at: string;
  updated_at: string;
  phases: PhaseState[];
}

/** The state file's name inside a run directory. */
export const STATE_FILE = "velora-state.json";

/** Path of the state file of a run directory. */
export function statePath(runDir: string): string {
  return join(runDir, STATE_FILE);
}

/** Reads a run's state, or undefined when the run directory has none. */
export async function readState(runDir: string): Promise<RunState | undefined> {
  const path = statePath(runDir);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  try {
    const state = JSON.parse(text) as RunState;
    if (state.version !== 1 || !Array.isArray(state.phases)) throw new Error("unknown layout");
    return state;
  } catch (error) {
    throw new UsageError(
      `Cannot read state file "${path}": ${(error as Error).message}; ` +
        "use --restart to move this run aside and start again",
    );
  }
}

/** Writes the state atomically: a crash leaves either the old or the new file, never a torn one. */
export async function writeState(runDir: string, state: RunState): Promise<void> {
  state.updated_at = new Date().toISOString();
  // A phase's error or summary can quote a secret: the file gets the masked text.
  await writeFileAtomic(statePath(runDir), redact(JSON.stringify(state, null, 2)) + "\n");
}
