/**
 * `velora infer`: the infer phase from flags that mirror OpenHands' `run_infer.py`, so an
 * existing command ports by changing one word. The seed's environment variables (`LANGUAGE`,
 * `USE_HINT_TEXT`, `RUN_WITH_BROWSING`, `EVAL_DOCKER_IMAGE_PREFIX`, `RUNTIME_CONTAINER_IMAGE`,
 * `SKIP_IDS`) work as they do there. Resuming is by rows: instances with a row are skipped.
 *
 * @module
 */
import { PHASE_KINDS } from "../phases/mod.ts";
import { buildPlan } from "../pipeline/load.ts";
import { parseSource } from "../config/source.ts";
import { runWithSignals } from "./run.ts";

/** Flags of `velora infer`. */
export interface InferFlags {
  agentCls: string;
  llmConfig?: string;
  configFile: string;
  maxIterations: number;
  evalNLimit?: number;
  evalNumWorkers: number;
  dataset: string;
  split: string;
  evalOutputDir: string;
  evalNote?: string;
  evalIds?: string;
  maxBudgetPerTask?: number;
  retryErrors?: true;
}

/** Implements `velora infer`. */
export async function inferCommand(flags: InferFlags): Promise<void> {
  const phase: Record<string, unknown> = {
    kind: "infer",
    dataset: flags.dataset,
    split: flags.split,
    agent_cls: flags.agentCls,
    config_file: flags.configFile,
    max_iterations: flags.maxIterations,
    num_workers: flags.evalNumWorkers,
    eval_output_dir: flags.evalOutputDir,
    ...(flags.llmConfig ? { llm_config: flags.llmConfig } : {}),
    ...(flags.evalNLimit ? { eval_n_limit: flags.evalNLimit, sample: "random:42" } : {}),
    ...(flags.evalNote ? { eval_note: flags.evalNote } : {}),
    ...(flags.evalIds ? { eval_ids: flags.evalIds.split(",").map((s) => s.trim()) } : {}),
    ...(flags.maxBudgetPerTask ? { max_budget_per_task: flags.maxBudgetPerTask } : {}),
    ...(flags.retryErrors ? { retry_errors: true } : {}),
  };
  const document = { name: "infer", output_dir: flags.evalOutputDir, phases: [phase] };
  const plan = buildPlan(parseSource("velora-infer.yaml", JSON.stringify(document)), PHASE_KINDS);
  await runWithSignals(plan, { rerun: ["infer"] });
}
