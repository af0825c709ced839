/**
 * The `evaluate` phase: for each row of `output.jsonl` not yet evaluated, a fresh container
 * applies the patch, runs the tests, parses the log and decides FAIL_TO_PASS / PASS_TO_PASS.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_MEMORY_GB, DEFAULT_PIDS_LIMIT, gigabytes } from "../docker/containers.ts";
import { InterruptedError, PhaseFailedError } from "../errors.ts";
import { infraErrorsMessage } from "../evaluate/infra.ts";
import { readDataset, runEvaluation } from "../evaluate/run_evaluation.ts";
import { imageNaming } from "../images/image_name.ts";
import { phaseOutputFiles, phaseOutputInputs } from "../output/phase_targets.ts";
import { readableFile } from "../fs.ts";
import { selectIds } from "../dataset/select.ts";
import { selectionSetting } from "./_selection.ts";
import { backendKeys, instanceImages, phaseBackend, refineBackend } from "./_backend.ts";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";
import { NETWORK_MODES } from "../runtime/network.ts";

/** The keys of an evaluate phase. */
export const evaluateSchema = phaseSchema("evaluate", {
  trajectory_file: z.string().optional().describe(
    "output.jsonl to evaluate (default: every output.jsonl under <run dir>/outputs)",
  ),
  dataset: z.string().optional().describe("Dataset whose rows replace each row's own `instance`"),
  out: z.string().optional().describe(
    "Where eval_outputs/ goes (one trajectory file only; default: next to it)",
  ),
  timeout: z.number().positive().default(600).describe("Seconds the tests may run"),
  num_workers: z.number().int().positive().default(1).describe("Instances at once"),
  network: z.enum(NETWORK_MODES).default("none").describe(
    "Container network: none, bridge (NAT where the engine has it) or host (unsafe)",
  ),
  patch_fallback: z.enum(["none", "fuzz"]).default("none").describe("fuzz: patch --fuzz=5"),
  skipped_pass_to_pass_ok: z.boolean().default(false).describe(
    "A PASS_TO_PASS test that is skipped counts as passed",
  ),
  image: z.string().optional().describe("Image template (default: the infer naming rules)"),
  language: z.string().optional().describe("LANGUAGE for image naming"),
  memory_gb: z.number().nonnegative().default(DEFAULT_MEMORY_GB).describe(
    "Container memory limit, GB (0: none)",
  ),
  cpus: z.number().positive().optional().describe("CPUs per container (default: no limit)"),
  pids_limit: z.number().int().nonnegative().default(DEFAULT_PIDS_LIMIT).describe(
    "Container process limit (0: none)",
  ),
  force: z.boolean().default(false).describe("Evaluate again even if the patch did not change"),
  instance_ids: z.array(z.string()).optional().describe("Only these instance ids"),
  filter: selectionSetting("filter").optional().describe(
    "Only ids the regular expression matches from their start",
  ),
  trust_row_parsers: z.boolean().optional().describe(
    "Run rows' cmd: parsers on the host (default: inside the evaluation container)",
  ),
  ...backendKeys,
}).superRefine(refineBackend);

/** The `evaluate` phase kind. */
export const evaluatePhase = definePhase({
  kind: "evaluate",
  description: "Apply each patch in a fresh container, run the tests, and judge strictly",
  schema: evaluateSchema,
  async check(params, ctx) {
    if (ctx.upstream) return; // the rows to evaluate come from an earlier phase
    if (params.trajectory_file) await readableFile(params.trajectory_file, "trajectory_file");
    if (params.dataset) await readDataset(params.dataset);
  },
  async inputs(params, ctx) {
    const files = await phaseOutputInputs(ctx.runDir, params.trajectory_file, false);
    return params.dataset ? [...files, resolve(params.dataset)] : files;
  },
  async run(params, ctx) {
    const files = await phaseOutputFiles(ctx.runDir, params.trajectory_file);
    if (params.out && files.length > 1) {
      throw new PhaseFailedError(
        `"out" names one folder but the run has ${files.length} outputs; set trajectory_file too`,
      );
    }
    const backend = await phaseBackend(params, ctx);
    const dataset = params.dataset ? await readDataset(params.dataset) : undefined;
    // Relative archive paths in rows are relative to the dataset the infer phase read.
    const datasetPath = params.dataset
      ? resolve(params.dataset)
      : await inferDatasetPath(files[0]!) ?? files[0]!;
    await using jit = await instanceImages(params, ctx, datasetPath);
    let total = 0;
    let resolved = 0;
    let infraErrors = 0;
    const categories: Record<string, number> = {};
    for (const file of files) {
      ctx.log(`evaluating ${file}`);
      const result = await runEvaluation({
        trajectoryFile: file,
        ...(dataset ? { dataset } : {}),
        ...(params.out ? { outputDir: resolve(params.out) } : {}),
        settings: {
          timeoutSeconds: params.timeout,
          patchFallback: params.patch_fallback,
          network: params.network,
          skippedPassToPassOk: params.skipped_pass_to_pass_ok,
          ...(params.trust_row_parsers ? { trustRowParsers: true } : {}),
          memoryBytes: gigabytes(params.memory_gb),
          ...(params.cpus ? { cpus: params.cpus } : {}),
          pidsLimit: params.pids_limit,
        },
        naming: imageNaming({ image: params.image, language: params.language }),
        numWorkers: params.num_workers,
        force: params.force,
        ...(params.instance_ids || params.filter
          ? {
            select: (id: string) =>
              selectIds([id], {
                eval_ids: params.instance_ids ?? [],
                skip_ids: [],
                filter: params.filter,
              }).ids.length > 0,
          }
          : {}),
        backend,
        jit,
        signal: ctx.signal,
        log: (line) => ctx.log(ctx.redact(line)),
      });
      if (result.interrupted) throw new InterruptedError("Interrupted during evaluation");
      total += result.total;
      resolved += result.resolved;
      infraErrors += result.infraErrors;
      for (const [k, v] of Object.entries(result.categories)) {
        categories[k] = (categories[k] ?? 0) + v;
      }
      ctx.result(
        `${result.resolved}/${result.total} resolved (${
          describe(result.categories)
        }); reports in ${result.evalDir}`,
      );
    }
    if (infraErrors > 0) {
      // Not done: a plain rerun of the pipeline evaluates those instances again.
      throw new PhaseFailedError(
        infraErrorsMessage(
          infraErrors,
          ctx.runDir ? "run the pipeline again" : "run the same command again",
        ),
      );
    }
    return { instances: total, resolved, ...categories };
  },
});

function describe(categories: Record<string, number>): string {
  return Object.entries(categories).map(([k, v]) => `${k} ${v}`).join(", ") || "nothing evaluated";
}

async function inferDatasetPath(outputJsonl: string): Promise<string | undefined> {
  try {
    const metadata = JSON.parse(
      await Deno.readTextFile(join(dirname(outputJsonl), "metadata.json")),
    );
    const path = metadata?.details?.dataset_path;
    return typeof path === "string" ? path : undefined;
  } catch {
    return undefined;
  }
}
