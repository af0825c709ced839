/**
 * Runs a plan's phases in order with checkpoint/resume.
 *
 * Before and after each phase the state file is written atomically. A `done` phase whose
 * parameters are unchanged is skipped; a `running`, `interrupted` or `failed` one runs again
 * (phases are idempotent and resume their own work). A `done` phase whose parameters changed is
 * refused unless `--rerun` names it or `--restart` moves the old run aside; one whose input files
 * changed (a dataset grown, the rows it evaluated replaced) runs again and does only the new work.
 * Each phase's `check` runs before anything is written.
 *
 * @module
 */
import { join } from "node:path";
import { didYouMean } from "../did_you_mean.ts";
import { InterruptedError, PhaseFailedError, UsageError } from "../errors.ts";
import { exists } from "../fs.ts";
import { changedKeys } from "./fingerprint.ts";
import { changedInputs, digestInputs } from "./input_digest.ts";
import { redact } from "../redact.ts";
import type { Plan, PlannedPhase } from "./load.ts";
import { acquireRunLock, lockHolder } from "./lock.ts";
import type { PhaseContext, PhaseRegistry } from "./phase.ts";
import { type StopNow, stopNowRegistry } from "./stop_now.ts";
import { type PhaseState, readState, type RunState, writeState } from "./state.ts";

/** Options of {@linkcode runPipeline}. */
export interface RunOptions {
  /** Run only these phases. */
  only?: readonly string[];
  /** Start at this phase; earlier ones are left as they are. */
  from?: string;
  /** Run these phases again even if they are done. */
  rerun?: readonly string[];
  /** Move an existing run directory aside and start a new run. */
  restart?: boolean;
  /** Progress output. @default a line on stderr */
  log?: (line: string) => void;
  /** Aborted to stop starting new work (the CLI wires it to the first ^C). */
  signal?: AbortSignal;
  /** Called with a function that kills the running children, for an immediate exit. */
  onKillChildren?: (kill: () => unknown) => void;
}

/** What a run did. */
export interface RunResult {
  ran: string[];
  skipped: string[];
  /** Where an existing run directory was moved by `--restart`. */
  movedTo?: string;
}

/** What a run does with a phase. */
export type Decision = "run" | "skip" | "unselected";

/**
 * Runs the plan with the phase kinds of `registry`. Throws {@linkcode PhaseFailedError},
 * {@linkcode InterruptedError} or a usage error.
 */
export async function runPipeline(
  plan: Plan,
  registry: PhaseRegistry,
  options: RunOptions = {},
): Promise<RunResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const signal = options.signal ?? new AbortController().signal;
  checkPhaseNames(plan, options);

  // Everything a run can refuse is refused before the run directory is touched.
  const before = decide(plan, options.restart ? undefined : await readState(plan.runDir), options);
  if (before.refused.length > 0) throw refusal(before.refused);
  await checkPhases(plan, registry, before.decisions);

  const result: RunResult = { ran: [], skipped: [] };
  if (options.restart) {
    const moved = await moveAside(plan.runDir);
    if (moved) {
      result.movedTo = moved;
      log(`Moved the previous run to ${moved}`);
    }
  }
  await Deno.mkdir(join(plan.runDir, "logs"), { recursive: true });
  using _lock = await acquireRunLock(plan.runDir);

  const previous = await readState(plan.runDir);
  if (previous && previous.name !== plan.name) {
    throw new UsageError(
      `Run directory "${plan.runDir}" holds run "${previous.name}", not "${plan.name}": ` +
        "use another output_dir or --restart",
    );
  }
  const { decisions, refused } = decide(plan, previous, options);
  if (refused.length > 0) throw refusal(refused);
  const now = new Date().toISOString();
  const state: RunState = {
    version: 1,
    name: plan.name,
    pipeline: { file: plan.absFile, text: plan.text, overrides: plan.overrides },
    created_at: previous?.created_at ?? now,
    updated_at: now,
    phases: plan.phases.map((phase) =>
      previous?.phases.find((p) => p.name === phase.name) ??
        { name: phase.name, kind: phase.kind, status: "pending", fingerprint: {}, attempts: 0 }
    ),
  };
  await writeState(plan.runDir, state);

  const stopNow = stopNowRegistry();
  options.onKillChildren?.(stopNow.stop);

  log(`Run "${plan.name}" in ${plan.runDir}`);
  for (const [index, phase] of plan.phases.entries()) {
    let decision = decisions.get(phase.name)!;
    const entry = state.phases[index]!;
    if (decision === "skip") {
      // Asked now, not up front: an earlier phase of this run may just have changed them.
      const changed = await changedInputsOf(registry, phase, entry, plan.runDir);
      if (changed.length > 0) {
        log(`  - ${phase.name}: ${changed.join(", ")} changed since it ran; running it again`);
        decision = "run";
      }
    }
    if (decision !== "run") {
      if (decision === "skip") {
        result.skipped.push(phase.name);
        log(`  - ${phase.name}: done earlier, skipped`);
      }
      continue;
    }
    if (signal.aborted) throw interrupted(plan, index);
    await runPhase(plan, phase, entry, state, { registry, log, signal, stopNow });
    result.ran.push(phase.name);
    if (signal.aborted && index < plan.phases.length - 1) throw interrupted(plan, index + 1);
  }
  return result;
}

/** What a run would do with each phase, and the done phases whose parameters changed. */
export interface RunPreview {
  decisions: Map<string, Decision>;
  /** Changed done phases with the changed keys. */
  refused: { phase: string; keys: string[] }[];
  /** What the checks of the phases that would run found (e.g. how many instances they select). */
  checked?: Map<string, string>;
}

/** Phase names given to `--only`, `--from` and `--rerun` must be the plan's. */
function checkPhaseNames(plan: Plan, options: RunOptions): void {
  const names = plan.phases.map((phase) => phase.name);
  for (
    const name of [...(options.only ?? []), ...(options.rerun ?? []), options.from ?? []].flat()
  ) {
    if (!names.includes(name)) {
      throw new UsageError(
        `No phase named "${name}"${didYouMean(name, names)}; phases: ${names.join(", ")}`,
      );
    }
  }
}

/**
 * Decides, without writing anything, which phases a run would run, skip or refuse, and checks
 * the inputs of those that would run (as a run does before it writes anything).
 */
export async function previewRun(
  plan: Plan,
  registry: PhaseRegistry,
  options: RunOptions = {},
): Promise<RunPreview> {
  checkPhaseNames(plan, options);
  const previous = options.restart ? undefined : await readState(plan.runDir);
  const preview = decide(plan, previous, options);
  for (const phase of plan.phases) {
    const entry = previous?.phases.find((p) => p.name === phase.name);
    if (preview.decisions.get(phase.name) !== "skip" || !entry) continue;
    if ((await changedInputsOf(registry, phase, entry, plan.runDir)).length > 0) {
      preview.decisions.set(phase.name, "run");
    }
  }
  preview.checked = await checkPhases(plan, registry, preview.decisions);
  return preview;
}

/** Runs the `check` of every phase that will run, in order, before anything is written. */
async function checkPhases(
  plan: Plan,
  registry: PhaseRegistry,
  decisions: Map<string, Decision>,
): Promise<Map<string, string>> {
  const notes = new Map<string, string>();
  let upstream = false;
  for (const phase of plan.phases) {
    if (decisions.get(phase.name) !== "run") continue;
    const kind = registry.get(phase.kind)!;
    const note = await kind.check?.(phase.params, { runDir: plan.runDir, upstream });
    if (note) notes.set(phase.name, note);
    upstream = true;
  }
  return notes;
}

/** The inputs of a done phase whose content changed since it finished (none when unknown). */
async function changedInputsOf(
  registry: PhaseRegistry,
  phase: PlannedPhase,
  entry: PhaseState,
  runDir: string,
): Promise<string[]> {
  const kind = registry.get(phase.kind)!;
  if (!entry.inputs || !kind.inputs) return [];
  const now = await digestInputs(await kind.inputs(phase.params, { runDir, upstream: false }));
  return changedInputs(entry.inputs, now);
}

function decide(plan: Plan, previous: RunState | undefined, options: RunOptions): RunPreview {
  const decisions = new Map<string, Decision>();
  const fromIndex = options.from ? plan.phases.findIndex((p) => p.name === options.from) : 0;
  const refused: RunPreview["refused"] = [];
  for (const [index, phase] of plan.phases.entries()) {
    const selected = index >= fromIndex &&
      (!options.only?.length || options.only.includes(phase.name));
    const old = previous?.phases.find((p) => p.name === phase.name);
    if (!selected) decisions.set(phase.name, "unselected");
    else if (options.rerun?.includes(phase.name) || old?.status !== "done") {
      decisions.set(phase.name, "run");
    } else {
      const changed = changedKeys(old.fingerprint, phase.fingerprint);
      if (changed.length > 0) refused.push({ phase: phase.name, keys: changed });
      decisions.set(phase.name, "skip");
    }
  }
  return { decisions, refused };
}

function refusal(refused: RunPreview["refused"]): UsageError {
  const list = refused.map((r) => `"${r.phase}" (${r.keys.join(", ")})`).join(", ");
  return new UsageError(
    `Phase ${list} is done but its parameters changed: use --rerun ${refused[0]!.phase} ` +
      "to run it again with the new ones, or --restart to start a new run",
  );
}

interface PhaseRunDeps {
  registry: PhaseRegistry;
  log: (line: string) => void;
  signal: AbortSignal;
  stopNow: StopNow;
}

async function runPhase(
  plan: Plan,
  phase: PlannedPhase,
  entry: PhaseState,
  state: RunState,
  deps: PhaseRunDeps,
) {
  const kind = deps.registry.get(phase.kind)!;
  const started = performance.now();
  Object.assign(entry, {
    kind: phase.kind,
    status: "running",
    fingerprint: phase.fingerprint,
    attempts: entry.attempts + 1,
    started_at: new Date().toISOString(),
  });
  delete entry.ended_at;
  delete entry.error;
  delete entry.summary;
  delete entry.inputs;
  await writeState(plan.runDir, state);
  deps.log(`  > ${phase.name} (${phase.kind})`);

  const ctx: PhaseContext = {
    runDir: plan.runDir,
    phase: phase.name,
    pipelineFile: plan.absFile,
    signal: deps.signal,
    logFile: join(plan.runDir, "logs", `${phase.name}.log`),
    log: (message) => deps.log(`    ${message}`),
    result: (message) => deps.log(`    ${message}`),
    redact: (text) => redact(text),
    trackChild: deps.stopNow.trackChild,
    onStopNow: deps.stopNow.onStopNow,
  };
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  try {
    entry.summary = await kind.run(phase.params, ctx);
    entry.status = "done";
    if (kind.inputs) {
      const inputs = await kind.inputs(phase.params, { runDir: plan.runDir, upstream: false });
      entry.inputs = await digestInputs(inputs);
    }
  } catch (error) {
    entry.status = error instanceof InterruptedError ? "interrupted" : "failed";
    entry.error = error instanceof Error ? error.message : String(error);
    if (error instanceof PhaseFailedError) {
      throw new PhaseFailedError(
        `Phase "${phase.name}" failed after ${seconds()}s: ${error.message}`,
      );
    }
    throw error;
  } finally {
    entry.ended_at = new Date().toISOString();
    await writeState(plan.runDir, state);
    if (entry.status === "done") deps.log(`  ok ${phase.name} done in ${seconds()}s`);
    else deps.log(`  !! ${phase.name} ${entry.status} after ${seconds()}s`);
  }
}

function interrupted(plan: Plan, nextIndex: number): InterruptedError {
  const left = plan.phases.slice(nextIndex).map((p) => p.name);
  return new InterruptedError(
    `Interrupted before ${left.join(", ")}: run the same command again to resume`,
  );
}

/** Renames a run directory to `<dir>.<timestamp>`; refuses while another process drives it. */
async function moveAside(runDir: string): Promise<string | undefined> {
  try {
    await Deno.stat(runDir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  const holder = await lockHolder(runDir);
  if (holder !== undefined) {
    throw new UsageError(
      `Cannot restart: run directory "${runDir}" is in use by another velora process (PID ${holder})`,
    );
  }
  const stamp = new Date().toISOString().replaceAll(":", "-").replace(/\.\d+Z$/, "Z");
  let target = `${runDir}.${stamp}`;
  for (let n = 2; await exists(target); n++) target = `${runDir}.${stamp}-${n}`;
  await Deno.rename(runDir, target);
  return target;
}
