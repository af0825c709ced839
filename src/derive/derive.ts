/**
 * `velora derive` over a task file: each row gets `FAIL_TO_PASS` and `PASS_TO_PASS` from its own
 * test runs (`derive_task.ts`), plus `usable` (and `unusable_reason` when not), and is appended to
 * the output JSONL as soon as it is done. The input is checked whole before any container starts
 * (a bad row is a `file:line` error); rows already in the output are skipped unless `force`.
 * Row fields missing from a row (`test_command`, `test_output_parser`) can be supplied, and are
 * then written into the output row, so it evaluates as it is.
 *
 * Multi-SWE-bench rows (without a `test_command`) go the way `evaluate` sends them, the reference
 * path (`derive_msb.ts`): their image's `run.sh`, `test-run.sh` and `fix-run.sh` fill
 * `run_result`, `test_patch_result`, `fix_patch_result` and the `fixed_tests` / `p2p_tests` /
 * `f2p_tests` / `s2p_tests` / `n2p_tests` groups. The supplied `test_command` and
 * `test_output_parser` are not written into them.
 *
 * @module
 */
import { join } from "node:path";
import { RowError, toInstance } from "../dataset/formats/mod.ts";
import { isMultiSweBenchRow } from "../dataset/formats/multi_swe_bench.ts";
import type { Instance } from "../dataset/instance.ts";
import { MAX_DATASET_LINE, readJsonl } from "../dataset/jsonl.ts";
import type { SandboxBackend } from "../runtime/backend.ts";
import { ConfigError } from "../errors.ts";
import { type EvalSettings, usesMsbRule } from "../evaluate/harness.ts";
import { imageFor, type ImageNaming } from "../images/image_name.ts";
import { JsonlWriter } from "../output/jsonl_writer.ts";
import { type DerivedMsbTask, deriveMsbTask } from "./derive_msb.ts";
import { LiveProgress } from "../progress.ts";
import { deriveTask } from "./derive_task.ts";

/** What to derive and how. */
export interface DeriveOptions {
  /** The task JSONL. */
  tasks: string;
  /** Where derived rows are appended. */
  output: string;
  /** Where each run's eval.sh, test_output.txt and logs go (`<dir>/<id>/<side>-<k>/`). */
  workDir: string;
  /** Identical runs per side; more than one drops flaky tests. */
  runs: number;
  numWorkers: number;
  settings: EvalSettings;
  naming: ImageNaming;
  /** For rows without them. */
  testCommand?: string;
  testOutputParser?: string;
  /** Derive rows already in the output again (replacing them). */
  force?: boolean;
  /** Where the containers run. */
  backend: SandboxBackend;
  signal?: AbortSignal;
  log(line: string): void;
}

/** What a derivation did. */
export interface DeriveSummary {
  total: number;
  derived: number;
  usable: number;
  /** Reasons of the unusable rows derived now, by count. */
  unusable: Record<string, number>;
  already: number;
  interrupted: boolean;
}

/** Derives the task file. */
export async function deriveTasks(options: DeriveOptions): Promise<DeriveSummary> {
  const taskIds = await scanTasks(options);
  const writer = await JsonlWriter.open(options.output);
  const done = new Set(writer.ids());
  const summary: DeriveSummary = {
    total: taskIds.size,
    derived: 0,
    usable: 0,
    unusable: {},
    already: 0,
    interrupted: false,
  };
  const todo = options.force ? taskIds.size : [...taskIds].filter((id) => !done.has(id)).length;
  const progress = new LiveProgress(todo, options.log, { cost: false });
  const runLabel = `derive-${crypto.randomUUID().slice(0, 8)}`;
  const rows = readRows(options);
  const worker = async () => {
    for (;;) {
      if (options.signal?.aborted) {
        summary.interrupted = true;
        return;
      }
      const next = await rows.next();
      if (next.done) return;
      const { row, instance } = next.value;
      const id = instance.instance_id;
      if (done.has(id) && !options.force) {
        summary.already++;
        continue;
      }
      const named = imageFor(instance, options.naming);
      const msb = usesMsbRule(instance);
      progress.start(id);
      const derived = {
        instance,
        image: "image" in named ? named.image : { error: named.error },
        dir: join(options.workDir, id),
        runs: options.runs,
        runLabel,
        backend: options.backend,
        settings: options.settings,
        onRun: (run: string) => progress.note(id, `test run ${run}`, true),
      };
      const result: DerivedMsbTask = msb ? await deriveMsbTask(derived) : await deriveTask(derived);
      const out: Record<string, unknown> = {
        ...row,
        ...(msb
          ? result.fields ?? {}
          : { FAIL_TO_PASS: result.failToPass, PASS_TO_PASS: result.passToPass }),
        usable: result.unusable === undefined,
        derive: {
          runs: options.runs,
          flaky_tests: result.flaky,
          pass_to_fail: result.passToFail,
          ...("image" in named ? { image: named.image } : {}),
        },
      };
      delete out.unusable_reason;
      if (result.unusable !== undefined) out.unusable_reason = result.unusable;
      // A row derived again replaces its old row at once (streamed rewrite), so the file stays a
      // dataset with one row per id even if the run is killed.
      if (done.has(id)) await writer.replace([out]);
      else await writer.append(out);
      done.add(id);
      summary.derived++;
      if (result.unusable === undefined) summary.usable++;
      else {
        const key = result.unusable.replace(/:.*/, "");
        summary.unusable[key] = (summary.unusable[key] ?? 0) + 1;
      }
      const [fixed, kept] = msb
        ? ["fixed (f2p, s2p, n2p)", "p2p"]
        : ["FAIL_TO_PASS", "PASS_TO_PASS"];
      progress.finish(id, {
        status: result.unusable === undefined
          ? "usable"
          : `unusable: ${result.unusable.replace(/:.*/, "")}`,
        detail: result.unusable === undefined
          ? `${result.failToPass.length} ${fixed}, ${result.passToPass.length} ${kept}` +
            (result.flaky.length ? `, ${result.flaky.length} flaky left out` : "")
          : `unusable: ${result.unusable}`,
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.numWorkers) }, worker));
  } finally {
    progress.close();
    await rows.return(undefined);
    await options.backend.reap(runLabel).catch(() => {});
  }
  return summary;
}

/** A one-line summary. */
export function deriveSummaryLine(summary: DeriveSummary, output: string): string {
  const unusable = Object.values(summary.unusable).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(summary.unusable).map(([k, v]) => `${v}: ${k}`).join("; ");
  return `derived ${summary.derived} of ${summary.total} task(s) into ${output}: ` +
    `${summary.usable} usable, ${unusable} unusable` + (unusable ? ` (${reasons})` : "") +
    (summary.already ? `; ${summary.already} already derived` : "") +
    (summary.interrupted ? "; interrupted" : "");
}

/** The rows with the supplied fields filled in, as instances. */
function withDefaults(
  value: unknown,
  options: Pick<DeriveOptions, "testCommand" | "testOutputParser">,
): { row: Record<string, unknown>; instance: Instance } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RowError("expected a JSON object");
  }
  const row = { ...(value as Record<string, unknown>) };
  // A Multi-SWE-bench row runs its image's scripts; a test_command would make it a Velora row.
  if (!isMultiSweBenchRow(row)) {
    if (!row.test_command && options.testCommand) row.test_command = options.testCommand;
    if (!row.test_output_parser && options.testOutputParser) {
      row.test_output_parser = options.testOutputParser;
    }
  }
  return { row, instance: toInstance(row) };
}

/**
 * Checks every row of the task file (and that ids are unique); returns how many there are.
 *
 * @throws {ConfigError} `file:line: reason` for the first bad row.
 */
export async function checkTasks(
  options: Pick<DeriveOptions, "tasks" | "testCommand" | "testOutputParser">,
): Promise<number> {
  return (await scanTasks(options)).size;
}

/** {@linkcode checkTasks}, returning the ids. */
async function scanTasks(
  options: Pick<DeriveOptions, "tasks" | "testCommand" | "testOutputParser">,
): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (
    const { line, value } of readJsonl(options.tasks, { maxLineChars: MAX_DATASET_LINE })
  ) {
    let instance: Instance;
    try {
      instance = withDefaults(value, options).instance;
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      throw new ConfigError({ file: options.tasks, line }, error.message);
    }
    if (ids.has(instance.instance_id)) {
      throw new ConfigError(
        { file: options.tasks, line },
        `duplicate instance_id "${instance.instance_id}"`,
      );
    }
    ids.add(instance.instance_id);
  }
  return ids;
}

async function* readRows(options: DeriveOptions) {
  for await (const { value } of readJsonl(options.tasks, { maxLineChars: MAX_DATASET_LINE })) {
    yield withDefaults(value, options);
  }
}
