/**
 * Evaluates every row of an `output.jsonl`: per-instance verdicts in `eval_outputs/<id>/`, the
 * aggregate `eval_outputs/report.json` and `eval_summary.json` over all instances (Multi-SWE-bench
 * rows also get `final_report.json`), and a `report` field on each row. Instances already
 * evaluated with the same patch are not run again; an infrastructure failure (`error_infra`,
 * `infra.ts`) does not count as evaluated, so the next run evaluates that instance again.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { RowError, toInstance } from "../dataset/formats/mod.ts";
import type { Instance } from "../dataset/instance.ts";
import { MAX_DATASET_LINE, readJsonl } from "../dataset/jsonl.ts";
import type { SandboxBackend } from "../runtime/backend.ts";
import { ConfigError } from "../errors.ts";
import { imageFor, type ImageNaming } from "../images/image_name.ts";
import { JsonlWriter } from "../output/jsonl_writer.ts";
import { patchSha256, reportHash, type RowEntry, rowPatchOf } from "../output/row_index.ts";
import { LiveProgress } from "../progress.ts";
import { makeDir, writeFileAtomic } from "../fs.ts";
import { redact } from "../redact.ts";
import type { JitImages } from "../images/jit.ts";
import { type EvalSettings, type EvalTask, evaluateMsb, evaluateVelora } from "./harness.ts";
import type { MsbVerdict } from "./mswebench_rule.ts";
import { aggregateReport, evalSummary, msbFinalReport, rowReport } from "./report.ts";
import type { Verdict } from "./verdict.ts";

/** What to evaluate and how. */
export interface EvaluationOptions {
  /** The `output.jsonl` to evaluate. */
  trajectoryFile: string;
  /** Rows by id that replace the rows' own `instance` (the dataset the run used). */
  dataset?: Map<string, Instance>;
  /** Where `eval_outputs/` goes. @default the trajectory file's folder */
  outputDir?: string;
  settings: EvalSettings;
  naming: ImageNaming;
  numWorkers: number;
  /** Evaluate again even when the patch did not change. */
  force?: boolean;
  /**
   * Only the rows whose id this accepts are evaluated; the others keep a stored verdict for the
   * same patch, if they have one, in the reports.
   */
  select?: (id: string) => boolean;
  /** Where the containers run. */
  backend: SandboxBackend;
  signal: AbortSignal;
  log(line: string): void;
  /** Loads each instance's image just in time (`load = "per-instance"`). */
  jit?: JitImages;
}

/** The result over all rows. */
export interface EvaluationResult {
  total: number;
  resolved: number;
  /** Instances judged in this run (infrastructure failures not included). */
  evaluated: number;
  /** Instances whose stored verdict was kept. */
  reused: number;
  /** Instances whose evaluation failed on infrastructure (`error_infra`): not evaluated. */
  infraErrors: number;
  categories: Record<string, number>;
  evalDir: string;
  interrupted: boolean;
}

interface Stored {
  patch_sha256: string;
  mode: "velora" | "multi_swe_bench";
  verdict: Verdict | MsbVerdict;
}

/**
 * Reads a dataset file into instances by id (used to override rows' `instance`). A bad row is a
 * {@linkcode ConfigError} naming the file and line.
 */
export async function readDataset(path: string): Promise<Map<string, Instance>> {
  const out = new Map<string, Instance>();
  for await (const { line, value } of readJsonl(path, { maxLineChars: MAX_DATASET_LINE })) {
    let instance: Instance;
    try {
      instance = toInstance(value);
    } catch (error) {
      if (error instanceof RowError) throw new ConfigError({ file: path, line }, error.message);
      throw error;
    }
    out.set(instance.instance_id, instance);
  }
  return out;
}

/**
 * Evaluates one `output.jsonl`. Which instances are done is decided from the row index (patch
 * hashes) and the stored verdicts, without reading the rows; a row is read only to evaluate it.
 */
export async function runEvaluation(options: EvaluationOptions): Promise<EvaluationResult> {
  const evalDir = join(options.outputDir ?? dirname(options.trajectoryFile), "eval_outputs");
  await makeDir(evalDir);
  const writer = await JsonlWriter.open(options.trajectoryFile, { index: true });
  const entries = writer.entries();
  const runLabel = `evaluate-${createHash("sha256").update(evalDir).digest("hex").slice(0, 16)}`;
  await options.backend.reap(runLabel);

  const results = new Map<string, Stored>();
  let reused = 0;
  let retried = 0;
  const todo: RowEntry[] = [];
  for (const entry of entries) {
    const id = entry.id!;
    const stored = await readStored(join(evalDir, id));
    if (options.select && !options.select(id)) {
      // Not asked for: kept in the reports when its verdict is for the same patch.
      if (stored?.patch_sha256 === entry.patch && !isInfraError(stored.verdict)) {
        results.set(id, stored);
        reused++;
      }
      continue;
    }
    if (stored && stored.patch_sha256 === entry.patch && !options.force) {
      if (!isInfraError(stored.verdict)) {
        results.set(id, stored);
        reused++;
        continue;
      }
      retried++;
    }
    todo.push(entry);
  }
  if (reused > 0) options.log(`${reused} instances already evaluated with the same patch: kept`);

  const progress = new LiveProgress(todo.length, options.log, { cost: false, steps: false });
  let index = 0;
  // A failure (a disk fault writing eval_outputs) stops the other workers after their current
  // instance, whose container goes with it; the first failure is thrown once all have ended.
  let failure: { error: unknown } | undefined;
  const evaluateRows = async () => {
    while (index < todo.length && !options.signal.aborted && !failure) {
      const id = todo[index++]!.id!;
      const row = await writer.row(id);
      if (!row) {
        options.jit?.skip(id);
        continue;
      }
      const patch = rowPatchOf(row);
      const dir = join(evalDir, id);
      progress.start(id, "evaluating");
      const result = await evaluateRow(row, patch, dir, runLabel, options);
      const record: Stored = { patch_sha256: patchSha256(patch), ...result };
      await writeFileAtomic(
        join(dir, "velora_eval.json"),
        redact(JSON.stringify(record, null, 2)) + "\n",
      );
      results.set(id, record);
      const category = categoryOf(result.verdict);
      progress.finish(id, { status: category, detail: `${category}: ${result.verdict.reason}` });
    }
  };
  // Per-instance mode loads images ahead, in the order the workers take rows.
  if (options.jit?.active) {
    // Only the rows to evaluate (reused verdicts need no image); read one at a time.
    const planned = async function* () {
      for (const entry of todo) {
        const row = await writer.row(entry.id!);
        if (!row) continue;
        try {
          yield options.dataset?.get(entry.id!) ?? toInstance(row.instance);
        } catch {
          // evaluateRow reports it
        }
      }
    };
    await options.jit.plan(planned());
  }
  const worker = () => evaluateRows().catch((error) => void (failure ??= { error }));
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.numWorkers) }, worker));
  } finally {
    progress.close();
  }
  if (failure) throw failure.error;
  if (retried > 0) {
    options.log(`evaluated again after an infrastructure error: ${retried}`);
  }

  const velora = [...results.values()].filter((r) => r.mode === "velora").map((r) =>
    r.verdict as Verdict
  );
  const msb = [...results.values()].filter((r) => r.mode === "multi_swe_bench").map((r) =>
    r.verdict as MsbVerdict
  );
  const incompleteIds = entries.map((e) => e.id!).filter((id) => !results.has(id));
  await writeFileAtomic(
    join(evalDir, "report.json"),
    JSON.stringify(aggregateReport(velora, { incompleteIds }), null, 2) + "\n",
  );
  await writeFileAtomic(
    join(evalDir, "eval_summary.json"),
    JSON.stringify(evalSummary(velora), null, 2) + "\n",
  );
  if (msb.length > 0) {
    await writeFileAtomic(
      join(evalDir, "final_report.json"),
      JSON.stringify(msbFinalReport(msb), null, 2) + "\n",
    );
  }
  // Only rows whose `report` changes are read and rewritten; the others are copied as bytes.
  await writer.update((entry) => {
    const stored = entry.id === null ? undefined : results.get(entry.id);
    if (!stored) return undefined;
    const report = stored.mode === "velora"
      ? rowReport(stored.verdict as Verdict)
      : msbRowReport(stored.verdict as MsbVerdict);
    if (entry.report === reportHash(report)) return undefined;
    return { set: { report } };
  });

  const categories: Record<string, number> = {};
  for (const r of results.values()) {
    const key = categoryOf(r.verdict);
    categories[key] = (categories[key] ?? 0) + 1;
  }
  const infraErrors = [...results.values()].filter((r) => isInfraError(r.verdict)).length;
  return {
    total: entries.length,
    resolved: [...results.values()].filter((r) => r.verdict.resolved).length,
    evaluated: results.size - reused - infraErrors,
    reused,
    infraErrors,
    categories,
    evalDir,
    interrupted: options.signal.aborted && results.size < entries.length,
  };
}

async function evaluateRow(
  row: Record<string, unknown>,
  patch: string | null,
  dir: string,
  runLabel: string,
  options: EvaluationOptions,
): Promise<Omit<Stored, "patch_sha256">> {
  const id = String(row.instance_id);
  const instance = options.dataset?.get(id) ?? toInstance(row.instance);
  const msbMode = instance.format === "multi_swe_bench" && !instance.test_command;
  const named = imageFor(instance, options.naming);
  const image = "image" in named ? named.image : { error: named.error };
  const task = { instance, patch, image, dir, runLabel, backend: options.backend };
  const evaluate = async (target: EvalTask): Promise<Omit<Stored, "patch_sha256">> =>
    msbMode
      ? { mode: "multi_swe_bench", verdict: await evaluateMsb(target, options.settings) }
      : { mode: "velora", verdict: await evaluateVelora(target, options.settings) };
  if (!options.jit?.active) return await evaluate(task);
  const result = await options.jit.with(instance, () => evaluate(task));
  // A failed load is reported through the harness's own "image is not loaded" path.
  return "loadError" in result
    ? await evaluate({ ...task, image: { error: result.loadError } })
    : result;
}

/** An infrastructure failure is no verdict: the instance is evaluated again on the next run. */
function isInfraError(verdict: Verdict | MsbVerdict): boolean {
  return categoryOf(verdict) === "error_infra";
}

/** The category (velora) or outcome (Multi-SWE-bench; `error_infra` apart) of a verdict. */
function categoryOf(verdict: Verdict | MsbVerdict): string {
  if ("category" in verdict) return verdict.category;
  return verdict.infra ? "error_infra" : verdict.outcome;
}

function msbRowReport(verdict: MsbVerdict) {
  return {
    empty_generation: false,
    resolved: verdict.resolved,
    failed_apply_patch: false,
    error_eval: verdict.outcome === "error",
    test_timeout: false,
  };
}

async function readStored(dir: string): Promise<Stored | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, "velora_eval.json")));
  } catch {
    return undefined;
  }
}
