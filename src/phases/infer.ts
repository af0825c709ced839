/**
 * The `infer` phase: for each selected instance, in a pool of `num_workers` sandboxes, run the
 * agent and append one row to `output.jsonl` in the OpenHands layout. Resumable: instances with a
 * row are skipped; `retry_errors` re-runs rows that failed for infrastructure reasons.
 *
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { AGENT_CLASSES } from "../agent/agent.ts";
import { OPENHANDS_VERSION } from "../agent/events.ts";
import { llmConfigForMetadata } from "../config/llm_config.ts";
import { loadLlmConfig } from "../config/load_llm_config.ts";
import { selectIds, selectionProblem } from "../dataset/select.ts";
import { connect, ping } from "../docker/client.ts";
import { reap } from "../docker/containers.ts";
import { imageExists } from "../docker/images.ts";
import { InterruptedError, PhaseFailedError } from "../errors.ts";
import { type JitImages, jitImages } from "../images/jit.ts";
import { readInstances, scanDataset } from "../infer/dataset_scan.ts";
import { imageFor, imageNaming } from "../images/image_name.ts";
import { buildInstruction } from "../infer/instruction.ts";
import { InferProgress } from "../infer/progress.ts";
import {
  errorRow,
  type InferSettings,
  isInfrastructureError,
  processInstance,
} from "../infer/process_instance.ts";
import { JsonlWriter } from "../output/jsonl_writer.ts";
import { inferLogPath, OUTPUT_FILES, outputDir } from "../output/layout.ts";
import { writeFileAtomic } from "../fs.ts";
import { sleep } from "../sleep.ts";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";

const ids = z.array(z.string()).default([]);

/** A selection setting, checked when the pipeline loads. */
function selection(key: "filter" | "slice" | "sample") {
  return z.string().superRefine((value, ctx) => {
    const message = selectionProblem(key, value);
    if (message) {
      ctx.addIssue({ code: "custom", message: `${message}, got ${JSON.stringify(value)}` });
    }
  });
}

/** The keys of an infer phase (also what `velora infer` builds from its flags). */
export const inferSchema = phaseSchema("infer", {
  dataset: z.string().min(1).describe("JSONL dataset (Velora, Multi-SWE-bench or SWE-bench rows)"),
  split: z.string().default("train").describe("Split name used in the output directory name"),
  on_bad_row: z.enum(["fail", "skip"]).default("fail").describe("A row that cannot be read"),
  eval_ids: ids.describe("Only these instance ids"),
  skip_ids: ids.describe("Never these ids (SKIP_IDS is merged in)"),
  filter: selection("filter").optional().describe(
    "Regular expression the id must match from its start",
  ),
  slice: selection("slice").optional().describe("Python slice over the selected ids, e.g. 10:20"),
  eval_n_limit: z.number().int().positive().optional().describe("At most this many instances"),
  sample: selection("sample").default("first").describe(
    '"first" or "random:<seed>" (OpenHands: random:42)',
  ),
  agent_cls: z.enum(AGENT_CLASSES).default("CodeActAgent"),
  llm_config: z.string().optional().describe('LLM section of config_file, e.g. "llm.eval_gpt4o"'),
  config_file: z.string().default("config.toml").describe("OpenHands-style config with [llm.*]"),
  max_iterations: z.number().int().positive().default(50),
  max_budget_per_task: z.number().positive().optional().describe("USD per instance"),
  max_cost: z.number().positive().optional().describe("USD for the phase: no new instances after"),
  eval_output_dir: z.string().optional().describe("Default: <run dir>/outputs"),
  eval_note: z.string().optional(),
  n_runs: z.number().int().positive().default(1).describe("Independent runs (-run_<i> dirs)"),
  num_workers: z.number().int().positive().default(1),
  max_retries: z.number().int().nonnegative().default(3).describe("Infrastructure retries"),
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
  memory_gb: z.number().positive().optional(),
  cpus: z.number().positive().optional(),
  pids_limit: z.number().int().positive().optional(),
});

type InferParams = z.output<typeof inferSchema>;

/** The `infer` phase kind. */
export const inferPhase = definePhase({
  kind: "infer",
  description: "Run an agent on each selected instance and write OpenHands-compatible output",
  schema: inferSchema,
  async run(params, ctx) {
    const env = (name: string) => Deno.env.get(name);
    const truthy = (name: string) => env(name)?.toLowerCase() === "true";
    const llm = params.agent_cls === "CodeActAgent" || params.llm_config
      ? await loadLlmConfig(params.config_file, params.llm_config ?? "llm")
      : undefined;
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
    const { ids: selected, steps } = selectIds(rows.map((r) => r.id), params);
    for (const step of steps) ctx.log(`${step.step}: ${step.before} -> ${step.after} instances`);
    if (selected.length === 0) {
      throw new PhaseFailedError(`No instances selected from ${params.dataset}`);
    }

    const docker = connect();
    await ping(docker).catch((error) => {
      throw new PhaseFailedError((error as Error).message);
    });
    const jit = await jitImages(ctx.runDir, docker, dataset, ctx.log, ctx.signal);
    const wanted = [
      ...new Set(selected.map((id) => images.get(id)).filter((i) => i !== undefined)),
    ];
    const present = new Set<string>();
    for (const image of wanted) if (await imageExists(docker, image)) present.add(image);
    if (present.size === 0 && !jit.active) {
      const first = wanted[0] ?? [...imageErrors.values()][0] ?? "none";
      throw new PhaseFailedError(
        `None of the ${wanted.length} images of the selected instances is loaded (first: ${first}); ` +
          "load them with `velora images load` or a load-images phase",
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
      ...(params.memory_gb ? { memoryBytes: Math.round(params.memory_gb * 1e9) } : {}),
      ...(params.cpus ? { cpus: params.cpus } : {}),
      ...(params.pids_limit ? { pidsLimit: params.pids_limit } : {}),
    };
    const lineOf = new Map(rows.map((r) => [r.id, r.line]));
    const totals = { completed: 0, errors: 0, skipped: 0, cost: 0 };
    let lastDir = "";
    for (let run = 1; run <= params.n_runs; run++) {
      const note = params.n_runs > 1 ? `${params.eval_note ?? "run"}-run_${run}` : params.eval_note;
      const outDir = outputDir({
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
        params,
        outDir,
        settings,
        selected,
        lineOf,
        images,
        imageErrors,
        dataset,
        docker,
        jit,
        metadata: {
          agent_class: params.agent_cls,
          llm_config: llm ? llmConfigForMetadata(llm) : null,
          agent_config: null,
          max_iterations: params.max_iterations,
          eval_output_dir: resolve(
            params.eval_output_dir ?? join(ctx.runDir ?? Deno.cwd(), "outputs"),
          ),
          start_time: new Date().toISOString().replace("T", " ").slice(0, 19),
          git_commit: null,
          dataset: params.dataset,
          data_split: params.split,
          details: { openhands_compat_version: OPENHANDS_VERSION, dataset_path: dataset },
          condenser_config: { type: "noop" },
        },
        instruction: (instance) =>
          buildInstruction(instance, {
            ...(language ? { language } : {}),
            useHints: params.use_hint_text ?? truthy("USE_HINT_TEXT"),
            runWithBrowsing: params.run_with_browsing ?? truthy("RUN_WITH_BROWSING"),
            ...(template ? { template } : {}),
          }),
        ctx,
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

interface RunInputs {
  params: InferParams;
  outDir: string;
  settings: InferSettings;
  selected: string[];
  lineOf: Map<string, number>;
  images: Map<string, string>;
  imageErrors: Map<string, string>;
  dataset: string;
  docker: ReturnType<typeof connect>;
  jit: JitImages;
  metadata: Record<string, unknown>;
  instruction: (instance: import("../dataset/instance.ts").Instance) => string;
  ctx: import("../pipeline/phase.ts").PhaseContext;
}

async function inferRun(inputs: RunInputs) {
  const { params, outDir, ctx, docker } = inputs;
  await Deno.mkdir(join(outDir, OUTPUT_FILES.inferLogs), { recursive: true });
  await Deno.mkdir(join(outDir, OUTPUT_FILES.completions), { recursive: true });
  await writeFileAtomic(
    join(outDir, OUTPUT_FILES.metadata),
    ctx.redact(JSON.stringify(inputs.metadata, null, 2)) + "\n",
  );
  const writer = await JsonlWriter.open(join(outDir, OUTPUT_FILES.output));
  if (writer.repairedBytes > 0) {
    ctx.log(
      `output.jsonl ended in a torn line (${writer.repairedBytes} bytes): moved to output.jsonl.torn`,
    );
  }
  const existing = await writer.rows();
  const rerun = new Set(
    params.retry_errors
      ? [...existing.values()].filter((row) => isInfrastructureError(row.error)).map((r) =>
        String(r.instance_id)
      )
      : [],
  );
  const todo = inputs.selected.filter((id) => !existing.has(id) || rerun.has(id));
  const skipped = inputs.selected.length - todo.length;
  if (skipped > 0) ctx.log(`${skipped} instances already have a row in output.jsonl: skipped`);
  if (rerun.size > 0) ctx.log(`${rerun.size} rows with infrastructure errors will run again`);

  // Sandboxes of this output directory left by a killed run are removed first.
  const runLabel = `infer-${createHash("sha256").update(outDir).digest("hex").slice(0, 16)}`;
  const leftovers = await reap(docker, runLabel);
  if (leftovers.length > 0) {
    ctx.log(`removed ${leftovers.length} containers left by an earlier run`);
  }

  const progress = new InferProgress(todo.length, ctx.log);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  let stopped: "interrupted" | "max_cost" | undefined;
  let cost = 0;
  let completed = 0;
  let errors = 0;

  const lines = new Set(todo.map((id) => inputs.lineOf.get(id)!));
  const source = readInstances(inputs.dataset, lines)[Symbol.asyncIterator]();
  const worker = async (_: unknown, index: number) => {
    // Spread the first sandbox starts: started together they all compete for the CPU at once,
    // and with similar instance lengths the workers would stay in lock-step afterwards.
    await sleep(index * params.start_stagger * 1000, stop.signal);
    for (;;) {
      if (stop.signal.aborted) return;
      const next = await source.next();
      if (next.done) return;
      const instance = next.value;
      const id = instance.instance_id;
      const logFile = await Deno.open(inferLogPath(outDir, id), { create: true, append: true });
      const log = (line: string) => {
        const text = `${new Date().toISOString()} - INFO - ${ctx.redact(line)}\n`;
        logFile.writeSync(new TextEncoder().encode(text));
      };
      progress.start(id);
      try {
        const image = inputs.images.get(id);
        const loaded = await inputs.jit.with(instance, () =>
          processInstance({
            instance,
            image: image ?? { error: inputs.imageErrors.get(id) ?? "no image name" },
            instruction: inputs.instruction(instance),
            settings: inputs.settings,
            outDir,
            metadata: inputs.metadata,
            runLabel,
            docker,
            // Running instances finish after a ^C; only a second ^C (process exit) cuts them.
            signal: new AbortController().signal,
            log,
            onStep: (event) => {
              progress.step(id, event);
              log(describeEvent(event));
            },
          }));
        const row = "loadError" in loaded
          ? imageMissingRow(
            instance,
            inputs,
            `ImageMissing: ${loaded.loadError}`,
            inputs.instruction(instance),
          )
          : loaded;
        const redacted = JSON.parse(ctx.redact(JSON.stringify(row)));
        if (rerun.has(id)) await writer.replace([redacted]);
        else await writer.append(redacted);
        const rowCost = row.metrics?.accumulated_cost ?? 0;
        cost += rowCost;
        if (row.error) errors++;
        completed++;
        progress.finish(
          id,
          row.error ? `error: ${String(row.error).split("\n")[0]}` : "ok",
          rowCost,
        );
        if (params.max_cost !== undefined && cost >= params.max_cost && !stop.signal.aborted) {
          stopped = "max_cost";
          ctx.log(`max_cost $${params.max_cost} reached ($${cost.toFixed(4)}): no new instances`);
          stop.abort();
        }
      } finally {
        logFile.close();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(params.num_workers, todo.length) }, worker));
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    await source.return?.(undefined);
    progress.close();
  }
  if (ctx.signal.aborted && completed < todo.length) stopped = "interrupted";
  return { completed, errors, skipped, cost, stopped };
}

/** One log line for a history event: `#7 agent run: pytest -q` / `#8 run (exit 0)`. */
function describeEvent(event: import("../agent/events.ts").EventDict): string {
  if ("action" in event) {
    const detail = event.args.command ?? event.args.path ?? event.args.thought ?? "";
    return `#${event.id} ${event.source} ${event.action}: ${
      String(detail).split("\n")[0]!.slice(0, 200)
    }`;
  }
  const exit = (event.extras.metadata as { exit_code?: number } | undefined)?.exit_code;
  return `#${event.id} ${event.observation}${
    exit === undefined ? "" : ` (exit ${exit})`
  }, ${event.content.length} chars`;
}

function imageMissingRow(
  instance: import("../dataset/instance.ts").Instance,
  inputs: RunInputs,
  error: string,
  instruction: string,
) {
  return errorRow({ instance, instruction, metadata: inputs.metadata }, error);
}
