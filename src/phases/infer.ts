/**
 * The `infer` phase: reads and checks the dataset, selects instances, checks their images, then
 * runs the worker pool (src/infer/infer_run.ts) once per `n_runs` and appends one row per instance
 * to `output.jsonl` in the OpenHands layout.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import { AGENT_CLASSES } from "../agent/agent.ts";
import { OPENHANDS_VERSION } from "../agent/events.ts";
import { hasPrice } from "../agent/llm/cost.ts";
import type { LlmConfig } from "../config/llm_config.ts";
import { loadLlmConfig } from "../config/load_llm_config.ts";
import { selectIds } from "../dataset/select.ts";
import { DEFAULT_MEMORY_GB, DEFAULT_PIDS_LIMIT, gigabytes } from "../docker/containers.ts";
import { ConfigError, InterruptedError, PhaseFailedError, UsageError } from "../errors.ts";
import { isFile, readableFile } from "../fs.ts";
import { imageFor, imageNaming } from "../images/image_name.ts";
import { scanDataset } from "../infer/dataset_scan.ts";
import { inferRun } from "../infer/infer_run.ts";
import { buildInstruction } from "../infer/instruction.ts";
import type { InferSettings } from "../infer/process_instance.ts";
import { datasetDescription, resolveOutputDir } from "../output/layout.ts";
import { buildMetadata } from "../output/metadata.ts";
import { DEFAULT_SANDBOX_NETWORK, NETWORK_MODES } from "../runtime/network.ts";
import { selectionSetting } from "./_selection.ts";
import { backendKeys, instanceImages, phaseBackend, refineBackend } from "./_backend.ts";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";

const ids = z.array(z.string()).default([]);

/** The keys of an infer phase (also what `velora infer` builds from its flags). */
export const inferSchema = phaseSchema("infer", {
  dataset: z.string().min(1).describe("JSONL dataset (Velora, Multi-SWE-bench or SWE-bench rows)"),
  split: z.string().default("train").describe("Split name used in the output directory name"),
  on_bad_row: z.enum(["fail", "skip"]).default("fail").describe("A row that cannot be read"),
  eval_ids: ids.describe("Only these instance ids"),
  skip_ids: ids.describe("Never these ids (SKIP_IDS is merged in)"),
  filter: selectionSetting("filter").optional().describe(
    "Regular expression the id must match from its start",
  ),
  slice: selectionSetting("slice").optional().describe(
    "Python slice over the selected ids, e.g. 10:20",
  ),
  eval_n_limit: z.number().int().positive().optional().describe("At most this many instances"),
  sample: selectionSetting("sample").default("first").describe(
    '"first" or "random:<seed>" (OpenHands: random:42)',
  ),
  agent_cls: z.enum(AGENT_CLASSES).default("CodeActAgent").describe(
    "Agent: CodeActAgent (an LLM), DummyAgent (finishes at once) or GoldPatchAgent (applies the gold patch)",
  ),
  llm_config: z.string().optional().describe('LLM section of config_file, e.g. "llm.eval_gpt4o"'),
  config_file: z.string().default("config.toml").describe("OpenHands-style config with [llm.*]"),
  max_iterations: z.number().int().positive().default(50).describe("Agent steps per instance"),
  max_budget_per_task: z.number().positive().optional().describe("USD per instance"),
  max_cost: z.number().positive().optional().describe("USD for the phase: no new instances after"),
  eval_output_dir: z.string().optional().describe("Default: <run dir>/outputs"),
  eval_note: z.string().optional().describe("Suffix of the output folder name (_N_<note>)"),
  n_runs: z.number().int().positive().default(1).describe("Independent runs (-run_<i> dirs)"),
  num_workers: z.number().int().positive().default(1).describe("Instances at once"),
  max_retries: z.number().int().nonnegative().default(5).describe(
    "Retries after a failed attempt (OpenHands' max_retries: at most max_retries + 1 attempts)",
  ),
  retry_delay: z.number().nonnegative().default(5).describe("Seconds between retries"),
  retry_errors: z.boolean().default(false).describe("Re-run rows with infrastructure errors"),
  start_stagger: z.number().nonnegative().default(0.4).describe(
    "Seconds between the first starts of the workers",
  ),
  timeout: z.number().positive().default(7200).describe("Seconds per instance"),
  image: z.string().optional().describe(
    "Image template, e.g. mswebench/{org}_m_{repo}:pr-{number}",
  ),
  language: z.string().optional().describe("LANGUAGE (instruction and image naming)"),
  use_hint_text: z.boolean().optional().describe("USE_HINT_TEXT"),
  run_with_browsing: z.boolean().optional().describe("RUN_WITH_BROWSING"),
  instruction_template: z.string().optional().describe("File replacing the built-in instruction"),
  repo_path: z.string().optional().describe("Where the image keeps the repository"),
  sandbox_timeout: z.number().positive().default(120).describe("Default command timeout, s"),
  network: z.enum(NETWORK_MODES).default(DEFAULT_SANDBOX_NETWORK).describe(
    "Sandbox network: bridge (NAT where the engine has it), none, or host (unsafe: the host's 127.0.0.1)",
  ),
  memory_gb: z.number().nonnegative().default(DEFAULT_MEMORY_GB).describe(
    "Sandbox memory limit, GB (0: none)",
  ),
  cpus: z.number().positive().optional().describe("CPUs per sandbox (default: no limit)"),
  pids_limit: z.number().int().nonnegative().default(DEFAULT_PIDS_LIMIT).describe(
    "Sandbox process limit (0: none)",
  ),
  ...backendKeys,
}).superRefine(refineBackend);

type InferParams = z.output<typeof inferSchema>;

/** The LLM config the agent needs (none for agents that call no model). */
function llmConfig(params: InferParams) {
  return params.agent_cls === "CodeActAgent" || params.llm_config
    ? loadLlmConfig(params.config_file, params.llm_config ?? "llm")
    : Promise.resolve(undefined);
}

/** The selected ids, or a usage error when the dataset is empty or the selection leaves none. */
function selectOrFail(params: InferParams, rows: { id: string }[]) {
  if (rows.length === 0) throw new ConfigError({ file: params.dataset }, "the dataset has no rows");
  const selection = selectIds(rows.map((r) => r.id), params);
  if (selection.ids.length === 0) {
    const steps = selection.steps.map((s) => `${s.step}: ${s.before} -> ${s.after}`).join(", ");
    throw new UsageError(`No instances selected from ${params.dataset} (${steps})`);
  }
  return selection;
}

/** A cost limit is set but the model's calls have no price: say so once, as the phase starts. */
function warnUnpriced(llm: LlmConfig, params: InferParams, log: (line: string) => void): void {
  const limits = (["max_cost", "max_budget_per_task"] as const).filter((k) => params[k]);
  if (limits.length === 0 || hasPrice(llm)) return;
  log(
    `warning: model "${llm.model}" has no price (not in velora's price list, and [${llm.name}] ` +
      "sets no input_cost_per_token/output_cost_per_token): its calls count $0 towards " +
      `${limits.join(" and ")} unless the server reports a cost (LiteLLM proxy)`,
  );
}

/** The `infer` phase kind. */
export const inferPhase = definePhase({
  kind: "infer",
  description: "Run an agent on each selected instance and write OpenHands-compatible output",
  schema: inferSchema,
  async check(params, ctx) {
    const dataset = resolve(params.dataset);
    if (ctx.upstream && !(await isFile(dataset))) {
      return "the dataset is written by an earlier phase";
    }
    await llmConfig(params);
    if (params.instruction_template) {
      await readableFile(params.instruction_template, "instruction_template");
    }
    const rows = await scanDataset(dataset, {
      skipBadRows: params.on_bad_row === "skip",
      log: () => {},
    });
    const { ids } = selectOrFail(params, rows);
    return `${ids.length} of ${rows.length} instances selected from ${params.dataset}`;
  },
  inputs(params) {
    const files = [resolve(params.dataset), resolve(params.config_file)];
    if (params.instruction_template) files.push(resolve(params.instruction_template));
    return Promise.resolve(files);
  },
  async run(params, ctx) {
    const env = (name: string) => Deno.env.get(name);
    const truthy = (name: string) => env(name)?.toLowerCase() === "true";
    const llm = await llmConfig(params);
    if (llm) warnUnpriced(llm, params, ctx.log);
    const dataset = resolve(params.dataset);
    const language = params.language ?? env("LANGUAGE");
    const naming = imageNaming({ image: params.image, language });

    // First pass: validate every row before any container starts.
    const images = new Map<string, string>();
    const imageErrors = new Map<string, string>();
    const rows = await scanDataset(dataset, {
      skipBadRows: params.on_bad_row === "skip",
      log: ctx.log,
      each: (instance) => {
        const named = imageFor(instance, naming);
        if ("image" in named) images.set(instance.instance_id, named.image);
        else imageErrors.set(instance.instance_id, named.error);
      },
    });
    const { ids: selected, steps } = selectOrFail(params, rows);
    for (const step of steps) ctx.log(`${step.step}: ${step.before} -> ${step.after} instances`);

    const backend = await phaseBackend(params, ctx);
    ctx.log(`sandboxes run on ${backend.where}`);
    await using jit = await instanceImages(params, ctx, dataset);
    const wanted = [
      ...new Set(selected.map((id) => images.get(id)).filter((i) => i !== undefined)),
    ];
    const present = new Set<string>();
    for (const image of wanted) if (await backend.imageExists(image)) present.add(image);
    if (present.size === 0 && !jit.active) {
      const first = wanted[0] === undefined
        ? [...imageErrors.values()][0] ?? "none"
        : backend.missingImage(wanted[0]);
      throw new PhaseFailedError(
        `None of the ${wanted.length} images of the selected instances is available ` +
          `(first: ${first})`,
      );
    }

    const template = params.instruction_template
      ? await Deno.readTextFile(params.instruction_template)
      : undefined;
    const settings: InferSettings = {
      agentClass: params.agent_cls,
      ...(llm ? { llm } : {}),
      maxIterations: params.max_iterations,
      ...(params.max_budget_per_task ? { maxBudgetPerTask: params.max_budget_per_task } : {}),
      timeoutSeconds: params.timeout,
      maxRetries: params.max_retries,
      retryDelaySeconds: params.retry_delay,
      ...(params.repo_path ? { repoPath: params.repo_path } : {}),
      sandboxTimeout: params.sandbox_timeout,
      network: params.network,
      memoryBytes: gigabytes(params.memory_gb),
      ...(params.cpus ? { cpus: params.cpus } : {}),
      pidsLimit: params.pids_limit,
    };
    const lineOf = new Map(rows.map((r) => [r.id, r.line]));
    const totals = { completed: 0, errors: 0, skipped: 0, cost: 0 };
    let lastDir = "";
    for (let run = 1; run <= params.n_runs; run++) {
      const note = params.n_runs > 1 ? `${params.eval_note ?? "run"}-run_${run}` : params.eval_note;
      const outDir = await resolveOutputDir({
        evalOutputDir: resolve(params.eval_output_dir ?? join(ctx.runDir ?? Deno.cwd(), "outputs")),
        dataset: params.dataset,
        split: params.split,
        agentClass: params.agent_cls,
        model: llm?.model ?? "none",
        maxIterations: params.max_iterations,
        ...(note ? { evalNote: note } : {}),
      });
      lastDir = outDir;
      const result = await inferRun({
        numWorkers: params.num_workers,
        startStagger: params.start_stagger,
        retryErrors: params.retry_errors,
        maxCost: params.max_cost,
        outDir,
        settings,
        selected,
        lineOf,
        images,
        imageErrors,
        dataset,
        backend,
        jit,
        metadata: buildMetadata({
          agentClass: params.agent_cls,
          llm,
          maxIterations: params.max_iterations,
          outputDir: outDir,
          datasetDescription: datasetDescription(params.dataset, params.split),
          split: params.split,
          details: { openhands_compat_version: OPENHANDS_VERSION, dataset_path: dataset },
        }),
        instruction: (instance) =>
          buildInstruction(instance, {
            ...(language ? { language } : {}),
            useHints: params.use_hint_text ?? truthy("USE_HINT_TEXT"),
            runWithBrowsing: params.run_with_browsing ?? truthy("RUN_WITH_BROWSING"),
            ...(template ? { template } : {}),
          }),
        signal: ctx.signal,
        log: ctx.log,
        redact: ctx.redact,
      });
      totals.completed += result.completed;
      totals.errors += result.errors;
      totals.skipped += result.skipped;
      totals.cost += result.cost;
      if (result.stopped === "interrupted") {
        throw new InterruptedError(`Interrupted after ${totals.completed} instances of run ${run}`);
      }
      if (result.stopped === "max_cost") break;
    }
    ctx.result(
      `${totals.completed} instances run (${totals.errors} with an error), ` +
        `${totals.skipped} had a row already; output in ${lastDir}`,
    );
    return {
      selected: selected.length,
      completed: totals.completed,
      errors: totals.errors,
      skipped_existing: totals.skipped,
      cost_usd: Math.round(totals.cost * 10000) / 10000,
      output_dir: lastDir,
    };
  },
});
