/**
 * `velora status <pipeline-or-run-dir>`: the run's phases as a table; for an output directory
 * (or an `output.jsonl`), its summary numbers.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { findOutputFiles } from "../output/output_files.ts";
import { PHASE_KINDS } from "../phases/mod.ts";
import { changedKeys } from "../pipeline/fingerprint.ts";
import { loadPipeline } from "../pipeline/load.ts";
import { lockHolder } from "../pipeline/lock.ts";
import { readState, type RunState, STATE_FILE } from "../pipeline/state.ts";
import { outputStatus, outputSummaries } from "../report/output_status.ts";
import { renderStatus } from "../ui/status_table.ts";

/** Implements `velora status`. */
export async function statusCommand(
  target: string,
  flags: { set: string[]; json?: true },
): Promise<void> {
  const info = await Deno.stat(target).catch(() => {
    throw new UsageError(`Cannot read "${target}": no such file or directory`);
  });
  const outputs = await outputTargets(target);
  if (outputs) {
    if (flags.json) {
      console.log(JSON.stringify({ outputs: await outputSummaries(outputs) }, null, 2));
    } else console.log(await outputStatus(outputs));
    return;
  }
  let runDir = target;
  let state: RunState | undefined;
  const changed = new Map<string, string[]>();
  if (info.isDirectory) {
    state = await readState(runDir);
    if (!state) throw new UsageError(`No velora run in "${target}" (it has no ${STATE_FILE})`);
  } else {
    const plan = await loadPipeline(target, PHASE_KINDS, { overrides: flags.set });
    runDir = plan.runDir;
    state = await readState(runDir) ?? {
      version: 1,
      name: plan.name,
      pipeline: { file: plan.absFile, text: plan.text, overrides: plan.overrides },
      created_at: "",
      updated_at: "",
      phases: plan.phases.map((p) => ({
        name: p.name,
        kind: p.kind,
        status: "pending",
        fingerprint: {},
        attempts: 0,
      })),
    };
    for (const phase of plan.phases) {
      const old = state.phases.find((p) => p.name === phase.name);
      if (old?.status === "done") {
        changed.set(phase.name, changedKeys(old.fingerprint, phase.fingerprint));
      }
    }
  }
  const holder = await lockHolder(runDir);
  if (flags.json) {
    console.log(JSON.stringify(statusJson(state, runDir, changed, holder), null, 2));
    return;
  }
  console.log(
    renderStatus({ state, runDir, changed, ...(holder === undefined ? {} : { holder }) }),
  );
}

/**
 * The `output.jsonl` files `target` stands for, or undefined when it is not an output target: a
 * `.jsonl` file, or a folder without a run state file that holds `output.jsonl` files.
 */
async function outputTargets(target: string): Promise<string[] | undefined> {
  const info = await Deno.stat(target).catch(() => undefined);
  if (!info) return undefined;
  if (info.isFile) return target.endsWith(".jsonl") ? [resolve(target)] : undefined;
  if (await Deno.stat(join(target, STATE_FILE)).then(() => true, () => false)) return undefined;
  const found = await findOutputFiles(target);
  return found.length > 0 ? found : undefined;
}

/**
 * `velora status --json` of a run: the state file's phases (what ran, when, its summary), whether
 * a velora process drives the run now, and the keys changed since a done phase ran.
 */
function statusJson(
  state: RunState,
  runDir: string,
  changed: Map<string, string[]>,
  holder: number | undefined,
) {
  return {
    name: state.name,
    run_dir: resolve(runDir),
    driver_pid: holder ?? null,
    created_at: state.created_at || null,
    updated_at: state.updated_at || null,
    phases: state.phases.map((phase) => ({
      name: phase.name,
      kind: phase.kind,
      status: phase.status,
      attempts: phase.attempts,
      started_at: phase.started_at ?? null,
      ended_at: phase.ended_at ?? null,
      summary: phase.summary ?? null,
      error: phase.error ?? null,
      changed_keys: changed.get(phase.name) ?? [],
    })),
  };
}
