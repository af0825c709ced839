/**
 * `metadata.json` as OpenHands' `make_metadata` writes it (evaluation/utils/shared.py, 0.62) and
 * its `EvalMetadata` model reads it back: every field the model requires is present and of its
 * type, so OpenHands' own tools load a velora run.
 *
 * @module
 */
import { type LlmConfig, llmConfigForMetadata } from "../config/llm_config.ts";
import { commit, VERSION } from "../version.ts";

/** What a run's metadata is made of. */
export interface MetadataInputs {
  agentClass: string;
  /** The LLM the agent calls; none for agents that call no model. */
  llm?: LlmConfig | undefined;
  maxIterations: number;
  /** The run's output directory (OpenHands' `eval_output_dir` is the run folder, not the root). */
  outputDir: string;
  /** `<dataset name>-<split>`, as in the output directory's name. */
  datasetDescription: string;
  split: string;
  /** More about the run, kept under `details`. */
  details?: Record<string, unknown>;
  /** When the run started (default: now). */
  startTime?: Date;
}

/**
 * The `llm_config` of a run whose agent calls no model: OpenHands' `EvalMetadata` requires one,
 * so it names the model `none` (as the output directory does) and carries no key.
 */
const NO_LLM = { model: "none", api_key: null, log_completions: false } as const;

/** The content of `metadata.json` (also repeated in every `output.jsonl` row). */
export function buildMetadata(inputs: MetadataInputs): Record<string, unknown> {
  return {
    agent_class: inputs.agentClass,
    llm_config: inputs.llm ? llmConfigForMetadata(inputs.llm) : { ...NO_LLM },
    agent_config: null,
    max_iterations: inputs.maxIterations,
    eval_output_dir: inputs.outputDir,
    start_time: pythonLocalTime(inputs.startTime ?? new Date()),
    git_commit: commit(),
    dataset: inputs.datasetDescription,
    data_split: inputs.split,
    details: { velora_version: VERSION, ...inputs.details },
    condenser_config: { type: "noop" },
    instruction_template_name: Deno.env.get("INSTRUCTION_TEMPLATE_NAME") ?? null,
  };
}

/** `time.strftime('%Y-%m-%d %H:%M:%S')`: local time. */
export function pythonLocalTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}
