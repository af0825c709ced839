/**
 * The `output.jsonl` files an `evaluate`, `report` or `export` phase works on: the one its
 * `output_dir` names, else every one under the run's `outputs/` folder.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { PhaseFailedError, UsageError } from "../errors.ts";
import { findOutputFiles, resolveOutputFile } from "./output_files.ts";

/**
 * The files, at least one.
 *
 * @throws {UsageError} when `outputDir` names no output, or several.
 * @throws {PhaseFailedError} when the run directory holds none.
 */
export async function phaseOutputFiles(
  runDir: string | undefined,
  outputDir?: string,
): Promise<string[]> {
  if (outputDir) return [await resolveOutputFile(outputDir)];
  if (runDir === undefined) throw new UsageError("Name an output directory or output.jsonl");
  const root = resolve(runDir, "outputs");
  const files = await findOutputFiles(root);
  if (files.length === 0) throw new PhaseFailedError(`No output.jsonl under ${root}`);
  return files;
}

/**
 * What a phase over a run's outputs reads, for its input digests: each `output.jsonl` and, with
 * `evaluations`, the aggregate `eval_outputs/report.json` beside it. None when there is no output
 * yet.
 */
export async function phaseOutputInputs(
  runDir: string | undefined,
  outputDir: string | undefined,
  evaluations: boolean,
): Promise<string[]> {
  let files: string[];
  try {
    files = await phaseOutputFiles(runDir, outputDir);
  } catch {
    return [];
  }
  if (!evaluations) return files;
  return files.flatMap((file) => [file, join(dirname(file), "eval_outputs", "report.json")]);
}
