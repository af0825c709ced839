/**
 * `velora evaluate` (the flags of today's evaluator) and `velora validate` (every task with its
 * gold patch must resolve, and without a patch must not).
 *
 * @module
 */
import { resolve } from "node:path";
import { connect, ping } from "../docker/client.ts";
import { UsageError, VeloraError } from "../errors.ts";
import type { EvalSettings } from "../evaluate/harness.ts";
import { infraErrorsMessage } from "../evaluate/infra.ts";
import { readDataset, runEvaluation } from "../evaluate/run_evaluation.ts";
import { validateDataset } from "../evaluate/validate.ts";
import { imageNaming } from "../infer/image_name.ts";
import { untilInterrupted } from "./_interrupt.ts";

/** Flags of `velora evaluate`. */
export interface EvaluateFlags {
  trajectoryFile: string;
  datasetFile?: string;
  timeout: number;
  outputDir?: string;
  numWorkers: number;
  force?: true;
}

function settings(timeout: number): EvalSettings {
  return {
    timeoutSeconds: timeout,
    patchFallback: "none",
    network: "none",
    skippedPassToPassOk: false,
  };
}

/** Implements `velora evaluate`. */
export async function evaluateCommand(flags: EvaluateFlags): Promise<void> {
  try {
    await Deno.stat(flags.trajectoryFile);
  } catch {
    throw new UsageError(`Cannot read trajectory file "${flags.trajectoryFile}": no such file`);
  }
  const docker = connect();
  await ping(docker);
  await untilInterrupted(async (signal) => {
    const result = await runEvaluation({
      trajectoryFile: resolve(flags.trajectoryFile),
      ...(flags.datasetFile ? { dataset: await readDataset(flags.datasetFile) } : {}),
      ...(flags.outputDir ? { outputDir: resolve(flags.outputDir) } : {}),
      settings: settings(flags.timeout),
      naming: imageNaming(),
      numWorkers: flags.numWorkers,
      ...(flags.force ? { force: true } : {}),
      docker,
      signal,
      log: (line) => console.error(line),
    });
    console.log(`${result.resolved}/${result.total} resolved; reports in ${result.evalDir}`);
    if (result.infraErrors > 0) {
      throw new VeloraError(infraErrorsMessage(result.infraErrors, "run the same command again"));
    }
  });
}

/** Implements `velora validate`: exits 1 when any task fails a check. */
export async function validateCommand(
  datasetFile: string,
  flags: { timeout: number; numWorkers: number; outputDir?: string },
): Promise<void> {
  const docker = connect();
  await ping(docker);
  const outputDir = resolve(flags.outputDir ?? `${datasetFile}.validation`);
  const result = await validateDataset({
    dataset: await readDataset(datasetFile),
    outputDir,
    settings: settings(flags.timeout),
    naming: imageNaming(),
    numWorkers: flags.numWorkers,
    docker,
    log: (line) => console.error(line),
  });
  console.log(result.table);
  if (result.failing.length > 0) {
    throw new VeloraError(
      `${result.failing.length} of ${result.rows.length} tasks fail validation`,
    );
  }
}
