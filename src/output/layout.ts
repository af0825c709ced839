/**
 * Output paths in the OpenHands layout, so tools that read OpenHands output keep working:
 * `<eval_output_dir>/<dataset>-<split>/<Agent>/<model>_maxiter_<N>[_N_<note>]/`.
 *
 * `<dataset>` is the dataset file's name (`../data/tasks.jsonl` → `tasks.jsonl`). OpenHands puts
 * the whole `--dataset` argument there with `/` → `__`, which for a relative path makes a hidden
 * `..__tasks.jsonl-train` folder; earlier velora versions did the same, and a run folder named that way
 * is still used when it holds the output (see {@linkcode resolveOutputDir}).
 *
 * @module
 */
import { basename, join } from "node:path";

/** What names an output directory. */
export interface OutputNaming {
  evalOutputDir: string;
  /** The dataset as given (a path or a name). */
  dataset: string;
  split: string;
  agentClass: string;
  /** The LLM's model string, e.g. `openai/gpt-4o`. */
  model: string;
  maxIterations: number;
  evalNote?: string;
}

/** The model part of the directory name: last path segment, `:`→`_`, `@`→`-`. */
export function modelDirName(model: string): string {
  return (model.split("/").at(-1) ?? model).replaceAll(":", "_").replaceAll("@", "-");
}

/** The dataset's name: its file name; a name with no `/` as it is. */
export function datasetName(dataset: string): string {
  const name = basename(dataset.replace(/\/+$/, ""));
  return name === "" || name === "." || name === ".." ? dataset.replaceAll("/", "__") : name;
}

/** `<dataset name>-<split>`: the first folder of the layout, and `metadata.json`'s `dataset`. */
export function datasetDescription(dataset: string, split: string): string {
  return `${datasetName(dataset)}-${split.replaceAll("/", "__")}`;
}

/** The output directory of a run. */
export function outputDir(naming: OutputNaming): string {
  return runDir(naming, datasetDescription(naming.dataset, naming.split));
}

/** The directory earlier velora versions (and OpenHands) named after the whole dataset path. */
export function legacyOutputDir(naming: OutputNaming): string {
  return runDir(
    naming,
    `${naming.dataset.replaceAll("/", "__")}-${naming.split.replaceAll("/", "__")}`,
  );
}

/**
 * The output directory to write: {@linkcode outputDir}, unless only the
 * {@linkcode legacyOutputDir} of the same run holds an `output.jsonl` (a run started before the
 * naming changed goes on where it is).
 */
export async function resolveOutputDir(naming: OutputNaming): Promise<string> {
  const current = outputDir(naming);
  const legacy = legacyOutputDir(naming);
  if (legacy === current) return current;
  const holdsOutput = (dir: string) =>
    Deno.stat(join(dir, OUTPUT_FILES.output)).then((s) => s.isFile, () => false);
  if (!(await holdsOutput(current)) && (await holdsOutput(legacy))) return legacy;
  return current;
}

function runDir(naming: OutputNaming, datasetFolder: string): string {
  const note = naming.evalNote ? `_N_${naming.evalNote}` : "";
  return join(
    naming.evalOutputDir,
    datasetFolder,
    naming.agentClass,
    `${modelDirName(naming.model)}_maxiter_${naming.maxIterations}${note}`,
  );
}

/** Files and folders inside an output directory. */
export const OUTPUT_FILES = {
  output: "output.jsonl",
  metadata: "metadata.json",
  completions: "llm_completions",
  inferLogs: "infer_logs",
  evalOutputs: "eval_outputs",
} as const;

/** `infer_logs/instance_<id>.log`. */
export function inferLogPath(dir: string, instanceId: string): string {
  return join(dir, OUTPUT_FILES.inferLogs, `instance_${instanceId}.log`);
}
