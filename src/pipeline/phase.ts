/**
 * The phase contract: what a phase kind is, what the runner hands it, and the registry type.
 * The kinds themselves live in `src/phases/`, which sits above this folder; the command line
 * hands their registry to `loadPipeline`, `runPipeline` and `runKind`.
 *
 * @module
 */
import { z } from "zod";

/** A phase's result summary, kept in the state file and shown by `velora status`. */
export type PhaseSummary = Record<string, string | number | boolean>;

/** What the runner (or `runKind`, for a command) hands a phase. */
export interface PhaseContext {
  /** Absolute path of the run directory; absent when the phase runs as a command. */
  runDir?: string;
  /** The phase's name in the pipeline (the kind, for a command). */
  phase: string;
  /** Absolute path of the pipeline file; absent when the phase runs as a command. */
  pipelineFile?: string;
  /** Aborted on the first ^C: start no new work, finish or checkpoint what runs, then return. */
  signal: AbortSignal;
  /** Absolute path of this phase's log file (appended to); absent when it runs as a command. */
  logFile?: string;
  /** Masks secrets (see src/redact.ts: secret-named variables, LLM api_keys); apply it to anything written. */
  redact(text: string): string;
  /** Prints a progress line for the user. */
  log(message: string): void;
  /**
   * Prints a result line (what was written, how many): on stdout when the phase runs as a
   * command, as a progress line in a pipeline.
   */
  result(message: string): void;
  /** Registers a child process to kill if velora must exit at once (second ^C). */
  trackChild(child: Deno.ChildProcess): () => void;
  /**
   * Registers a cleanup for the second ^C (run after child processes are killed, for a few
   * seconds at most, while writes are frozen); returns a function that unregisters it.
   */
  onStopNow?(cleanup: () => unknown): () => void;
}

/** What {@linkcode PhaseKind.check} and {@linkcode PhaseKind.inputs} get. */
export interface PhaseCheckContext {
  /** Absolute path of the run directory; absent when the phase runs as a command. */
  runDir?: string;
  /** An earlier phase of this run runs first (and may write what this one reads). */
  upstream: boolean;
}

/** A phase kind: its schema (the keys a pipeline may set) and what it does. */
export interface PhaseKind<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** The `kind` value in pipeline files. */
  kind: string;
  /** One line for `--help` and the README. */
  description: string;
  /**
   * Strict schema of the phase table, including `name` and `kind` (see {@linkcode phaseSchema}).
   * Messages name other keys in backticks (`` `max_turns` ``): a pipeline shows them quoted, a
   * command as its flags.
   */
  schema: z.ZodObject<Shape, z.core.$strict>;
  /**
   * Checks what the phase will read (files exist, rows parse, config sections are there) before
   * the run writes anything; throws a usage error naming the file. Called for every phase that
   * will run. With `upstream`, an earlier phase runs first and may still write those files, so a
   * file that does not exist yet is not an error. May answer a note for `--dry-run` (what it
   * found, e.g. how many instances are selected).
   */
  check?(
    params: z.output<z.ZodObject<Shape, z.core.$strict>>,
    ctx: PhaseCheckContext,
  ): Promise<string | void>;
  /**
   * The files whose content decides the phase's work, besides its parameters (its dataset, the
   * `output.jsonl` it evaluates). The runner keeps their digests when the phase is done; a done
   * phase whose inputs changed since runs again, and resumes: only the new work is done.
   */
  inputs?(
    params: z.output<z.ZodObject<Shape, z.core.$strict>>,
    ctx: PhaseCheckContext,
  ): Promise<string[]>;
  /** Runs the phase; must be idempotent and resume its own work. */
  run(
    params: z.output<z.ZodObject<Shape, z.core.$strict>>,
    ctx: PhaseContext,
  ): Promise<PhaseSummary>;
}

/** A kind name → phase kind map. */
export type PhaseRegistry = ReadonlyMap<string, PhaseKind>;

/** Phase names: they appear in `--set <phase>.key`, `--only` and the state file. */
export const PHASE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Builds a phase kind's strict schema: the common `name` and `kind` keys plus its own. */
export function phaseSchema<const Kind extends string, Shape extends z.ZodRawShape>(
  kind: Kind,
  shape: Shape,
) {
  return z.strictObject({
    name: z.string().regex(PHASE_NAME, "expected letters, digits, '_' or '-'").optional(),
    kind: z.literal(kind),
    ...shape,
  });
}

/** Declares a phase kind with its parameter types inferred from the schema. */
export function definePhase<Shape extends z.ZodRawShape>(phase: PhaseKind<Shape>): PhaseKind {
  return phase as unknown as PhaseKind;
}

/** Renders the `` `key` `` names in a schema message with `label` (a quoted key, a flag). */
export function renderKeys(message: string, label: (key: string) => string): string {
  return message.replace(/`([A-Za-z0-9_]+)`/g, (_match, key: string) => label(key));
}
