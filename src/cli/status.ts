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
import { outputStatus } from "../report/output_status.ts";
import { renderStatus } from "../ui/status_table.ts";

/** Implements `velora status`. */
export async function statusCommand(target: string, flags: { set: string[] }): Promise<void> {
  const info = await Deno.stat(target).catch(() => {
    throw new UsageError(`Cannot read "${target}": no such file or directory`);
  });
  const outputs = await outputTargets(target);
  if (outputs) {
    console.log(await outputStatus(outputs));
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
