/**
 * `velora infer`: the `infer` phase as a command, from flags that mirror OpenHands'
 * `run_infer.py`, so an existing command ports by changing one word. The seed's environment
 * variables (`LANGUAGE`, `USE_HINT_TEXT`, `RUN_WITH_BROWSING`, `EVAL_DOCKER_IMAGE_PREFIX`,
 * `RUNTIME_CONTAINER_IMAGE`, `SKIP_IDS`) work as they do there. Resuming is by rows: instances
 * with a row are skipped.
 *
 * @module
 */
import { inferPhase } from "../phases/infer.ts";
import { runKind } from "../pipeline/run_kind.ts";
import { withInterrupts } from "./_interrupt.ts";

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
  const table = {
    dataset: flags.dataset,
    split: flags.split,
    agent_cls: flags.agentCls,
    config_file: flags.configFile,
    max_iterations: flags.maxIterations,
    num_workers: flags.evalNumWorkers,
    eval_output_dir: flags.evalOutputDir,
    llm_config: flags.llmConfig,
    eval_n_limit: flags.evalNLimit,
    sample: flags.evalNLimit ? "random:42" : undefined,
    eval_note: flags.evalNote,
    eval_ids: flags.evalIds?.split(",").map((s) => s.trim()),
    max_budget_per_task: flags.maxBudgetPerTask,
    retry_errors: flags.retryErrors,
  };
  await withInterrupts(({ signal, onStopNow }) =>
    runKind(inferPhase, table, {
      signal,
      onKillChildren: (kill) => onStopNow(kill),
      labels: { num_workers: "--eval-num-workers", sample: "--eval-n-limit" },
    }), { containers: true });
}
