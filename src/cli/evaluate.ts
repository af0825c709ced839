/**
 * `velora evaluate` (the `evaluate` phase as a command, with the flags of today's evaluator) and
 * `velora validate` (every task with its gold patch must resolve, and without a patch must not).
 *
 * @module
 */
import { resolve } from "node:path";
import { VeloraError } from "../errors.ts";
import type { EvalSettings } from "../evaluate/harness.ts";
import { readDataset } from "../evaluate/run_evaluation.ts";
import { validateDataset } from "../evaluate/validate.ts";
import { imageNaming } from "../images/image_name.ts";
import { evaluatePhase } from "../phases/evaluate.ts";
import { runKind } from "../pipeline/run_kind.ts";
import { redact } from "../redact.ts";
import {
  BACKEND_LABELS,
  type BackendFlags,
  backendTable,
  commandBackend,
} from "./_backend_flags.ts";
import { withInterrupts } from "./_interrupt.ts";

/** Flags of `velora evaluate`. */
export interface EvaluateFlags extends BackendFlags {
  trajectoryFile: string;
  datasetFile?: string;
  timeout: number;
  output?: string;
  workers: number;
  instanceIds: string[];
  filter?: string;
  force?: true;
  trustRowParsers?: true;
}

/** Implements `velora evaluate`. */
export async function evaluateCommand(flags: EvaluateFlags): Promise<void> {
  await withInterrupts(({ signal, onStopNow }) =>
    runKind(evaluatePhase, {
      trajectory_file: flags.trajectoryFile,
      dataset: flags.datasetFile,
      out: flags.output,
      timeout: flags.timeout,
      num_workers: flags.workers,
      instance_ids: flags.instanceIds.length > 0 ? flags.instanceIds : undefined,
      filter: flags.filter,
      force: flags.force,
      trust_row_parsers: flags.trustRowParsers,
      ...backendTable(flags),
    }, {
      signal,
      onKillChildren: (kill) => onStopNow(kill),
      labels: {
        ...BACKEND_LABELS,
        dataset: "--dataset-file",
        out: "--output",
        num_workers: "--workers",
        instance_ids: "--instance-ids",
      },
    }), { containers: true });
}

/** Implements `velora validate`: exits 1 when any task fails a check. */
export async function validateCommand(
  datasetFile: string,
  flags: BackendFlags & {
    timeout: number;
    workers: number;
    output?: string;
    trustRowParsers?: true;
  },
): Promise<void> {
  const backend = await commandBackend(flags);
  const settings: EvalSettings = {
    timeoutSeconds: flags.timeout,
    patchFallback: "none",
    network: "none",
    skippedPassToPassOk: false,
    ...(flags.trustRowParsers ? { trustRowParsers: true } : {}),
  };
  const outputDir = resolve(flags.output ?? `${datasetFile}.validation`);
  const dataset = await readDataset(datasetFile);
  const result = await withInterrupts(({ signal, onStopNow }) => {
    onStopNow(() => backend.reapOwned());
    return validateDataset({
      dataset,
      outputDir,
      settings,
      naming: imageNaming(),
      numWorkers: flags.workers,
      backend,
      signal,
      log: (line) => console.error(redact(line)),
    });
  }, { containers: true });
  console.log(redact(result.table));
  if (result.failing.length > 0) {
    throw new VeloraError(
      `${result.failing.length} of ${result.rows.length} tasks fail validation`,
    );
  }
}
