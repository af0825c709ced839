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
import { BACKEND_LABELS, type BackendFlags, backendTable } from "./_backend_flags.ts";
import { withInterrupts } from "./_interrupt.ts";

/** Flags of `velora infer`. */
export interface InferFlags extends BackendFlags {
  agentCls: string;
  llmConfig?: string;
  configFile: string;
  maxIterations: number;
  limit?: number;
  /** `--eval-n-limit`: OpenHands' limit, which samples with seed 42. */
  evalNLimit?: number;
  sample?: string;
  workers: number;
  dataset: string;
  split: string;
  output: string;
  evalNote?: string;
  instanceIds: string[];
  skipIds: string[];
  filter?: string;
  slice?: string;
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
    num_workers: flags.workers,
    eval_output_dir: flags.output,
    llm_config: flags.llmConfig,
    eval_n_limit: flags.limit ?? flags.evalNLimit,
    sample: flags.sample ?? (flags.evalNLimit && !flags.limit ? "random:42" : undefined),
    eval_note: flags.evalNote,
    eval_ids: flags.instanceIds.length > 0 ? flags.instanceIds : undefined,
    skip_ids: flags.skipIds.length > 0 ? flags.skipIds : undefined,
    filter: flags.filter,
    slice: flags.slice,
    max_budget_per_task: flags.maxBudgetPerTask,
    retry_errors: flags.retryErrors,
    ...backendTable(flags),
  };
  await withInterrupts(({ signal, onStopNow }) =>
    runKind(inferPhase, table, {
      signal,
      onKillChildren: (kill) => onStopNow(kill),
      labels: {
        num_workers: "--workers",
        eval_output_dir: "--output",
        eval_n_limit: "--limit",
        eval_ids: "--instance-ids",
        skip_ids: "--skip-ids",
        ...BACKEND_LABELS,
      },
    }), { containers: true });
}
