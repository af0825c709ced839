/**
 * The `output.jsonl` files an `evaluate`, `report` or `export` phase works on: the one its
 * `output_dir` names, else every one under the run's `outputs/` folder.
 *
 * @module
 */
import { resolve } from "node:path";
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
