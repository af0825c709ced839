/**
 * `velora run <pipeline>`: load, plan, then run with checkpoint/resume; ^C stops cleanly.
 *
 * @module
 */
import { stringify } from "yaml";
import { addLlmConfigSecrets } from "../config/load_llm_config.ts";
import { InterruptedError } from "../errors.ts";
import { PHASE_KINDS } from "../phases/mod.ts";
import { loadPipeline, type Plan } from "../pipeline/load.ts";
import { redact } from "../redact.ts";
import { previewRun, type RunOptions, runPipeline } from "../pipeline/runner.ts";
import { withInterrupts } from "./_interrupt.ts";

/** Flags of `velora run`. */
export interface RunFlags {
  set: string[];
  only: string[];
  from?: string;
  rerun: string[];
  restart?: true;
  dryRun?: true;
}

/** Implements `velora run`. */
export async function runCommand(file: string, flags: RunFlags): Promise<void> {
  const plan = await loadPipeline(file, PHASE_KINDS, { overrides: flags.set });
  // Every api_key of the LLM configs the run reads is masked from the start, like the environment's.
  for (const phase of plan.phases) {
    const file = phase.params.config_file;
    if (phase.kind === "infer" && typeof file === "string") await addLlmConfigSecrets(file);
  }
  const options: RunOptions = {
    only: flags.only,
    rerun: flags.rerun,
    ...(flags.from ? { from: flags.from } : {}),
    ...(flags.restart ? { restart: true } : {}),
  };
  if (flags.dryRun) {
    console.log(redact(await describePlan(plan, options)));
    return;
  }

  await runWithSignals(plan, options);
}

/**
 * Runs a plan under the ^C handler (see _interrupt.ts): the first SIGINT/SIGTERM stops new work
 * and lets running work finish (exit 130); the second kills running commands, removes this
 * process's containers and exits at once.
 */
async function runWithSignals(plan: Plan, options: RunOptions): Promise<void> {
  await withInterrupts(async ({ signal, onStopNow }) => {
    await runPipeline(plan, PHASE_KINDS, {
      log: (line) => console.error(redact(line)),
      ...options,
      signal,
      onKillChildren: (kill) => onStopNow(kill),
    });
    if (signal.aborted) throw new InterruptedError("Interrupted after the last phase finished");
    console.error(`Run "${plan.name}" is complete: ${plan.runDir}`);
  }, { containers: true });
}

async function describePlan(plan: Plan, options: RunOptions): Promise<string> {
  const preview = await previewRun(plan, PHASE_KINDS, options);
  const refused = new Map(preview.refused.map((r) => [r.phase, r.keys]));
  return stringify({
    name: plan.name,
    pipeline: plan.absFile,
    run_dir: plan.runDir,
    overrides: plan.overrides,
    phases: plan.phases.map((phase) => ({
      name: phase.name,
      kind: phase.kind,
      action: refused.has(phase.name)
        ? `refused: done, but changed ${refused.get(phase.name)!.join(", ")}`
        : preview.decisions.get(phase.name),
      ...(preview.checked?.has(phase.name) ? { checked: preview.checked.get(phase.name) } : {}),
      params: Object.fromEntries(
        Object.entries(phase.params).filter(([key]) => key !== "name" && key !== "kind"),
      ),
    })),
  }).trimEnd();
}
