/**
 * The worker pool of the `infer` phase: one run into one output directory, `num_workers`
 * sandboxes at a time, one row appended to `output.jsonl` per instance. Resumable: instances with
 * a row are skipped; `retry_errors` re-runs rows that failed for infrastructure reasons.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { EventDict } from "../agent/events.ts";
import type { Instance } from "../dataset/instance.ts";
import { AppendFile, makeDir, writeFileAtomic } from "../fs.ts";
import type { JitImages } from "../images/jit.ts";
import { JsonlWriter } from "../output/jsonl_writer.ts";
import { inferLogPath, OUTPUT_FILES } from "../output/layout.ts";
import type { SandboxBackend } from "../runtime/backend.ts";
import { sleep } from "../sleep.ts";
import { readInstances } from "./dataset_scan.ts";
import {
  errorRow,
  type InferSettings,
  isInfrastructureError,
  processInstance,
} from "./process_instance.ts";
import { InferProgress } from "./progress.ts";

/** What one run of the pool needs. */
export interface InferRunInputs {
  /** Instances at once. */
  numWorkers: number;
  /** Seconds between the first starts of the workers. */
  startStagger: number;
  /** Run rows with infrastructure errors again (and replace them). */
  retryErrors: boolean;
  /** USD: no new instances once the run has spent this much. */
  maxCost?: number | undefined;
  /** The output directory (OpenHands layout). */
  outDir: string;
  settings: InferSettings;
  selected: string[];
  lineOf: Map<string, number>;
  images: Map<string, string>;
  imageErrors: Map<string, string>;
  dataset: string;
  /** Where the sandboxes run. */
  backend: SandboxBackend;
  jit: JitImages;
  metadata: Record<string, unknown>;
  instruction: (instance: Instance) => string;
  /** Aborted on the first ^C: no new instances; running ones finish. */
  signal: AbortSignal;
  /** Progress lines. */
  log(line: string): void;
  /** Masks secrets in anything written. */
  redact(text: string): string;
}

/** What one run of the pool did. */
export interface InferRunResult {
  completed: number;
  errors: number;
  /** Instances that already had a row. */
  skipped: number;
  cost: number;
  stopped?: "interrupted" | "max_cost";
}

/**
 * One run of the infer worker pool into `outDir`: writes `metadata.json`, repairs a torn
 * `output.jsonl`, skips instances that have a row (or re-runs infrastructure errors), removes
 * sandboxes a killed run left, then runs `numWorkers` instances at a time and appends one row
 * each.
 */
export async function inferRun(inputs: InferRunInputs): Promise<InferRunResult> {
  const { outDir, backend } = inputs;
  await makeDir(join(outDir, OUTPUT_FILES.inferLogs));
  await makeDir(join(outDir, OUTPUT_FILES.completions));
  await writeFileAtomic(
    join(outDir, OUTPUT_FILES.metadata),
    inputs.redact(JSON.stringify(inputs.metadata, null, 2)) + "\n",
  );
  const writer = await JsonlWriter.open(join(outDir, OUTPUT_FILES.output), { index: true });
  if (writer.repairedBytes > 0) {
    inputs.log(
      `output.jsonl ended in a torn line (${writer.repairedBytes} bytes): moved to output.jsonl.torn`,
    );
  }
  // Rows a killed retry run appended but did not compact away yet (nothing to do: no write).
  await writer.compact();
  const { todo, rerun, skipped } = planResume(writer, inputs.selected, inputs.retryErrors);
  if (skipped > 0) inputs.log(`${skipped} instances already have a row in output.jsonl: skipped`);
  if (rerun.size > 0) inputs.log(`${rerun.size} rows with infrastructure errors will run again`);

  // Sandboxes of this output directory left by a killed run are removed first.
  const runLabel = `infer-${createHash("sha256").update(outDir).digest("hex").slice(0, 16)}`;
  const leftovers = await backend.reap(runLabel);
  if (leftovers.length > 0) {
    inputs.log(`removed ${leftovers.length} containers left by an earlier run`);
  }

  // The sandboxes join one network namespace instead of paying ~0.1 s each for their own; not
  // with per-instance images, which are removed while the namespace's holder would still use one.
  const networks = inputs.settings.network === "host" || inputs.jit.active
    ? undefined
    : backend.sharedNetworks(runLabel);

  const progress = new InferProgress(todo.length, inputs.log);
  const stop = new AbortController();
  // A failure that ends the run (a disk fault, an internal error) also cuts the running instances
  // short, so their sandboxes go before velora exits; their rows are not written.
  const halt = new AbortController();
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    stop.abort();
    halt.abort();
  };
  const onAbort = () => stop.abort();
  inputs.signal.addEventListener("abort", onAbort, { once: true });
  let stopped: InferRunResult["stopped"];
  let cost = 0;
  let completed = 0;
  let errors = 0;

  const lines = new Set(todo.map((id) => inputs.lineOf.get(id)!));
  // Per-instance mode loads images ahead, in the order the workers take instances.
  await inputs.jit.plan(readInstances(inputs.dataset, lines));
  const source = readInstances(inputs.dataset, lines)[Symbol.asyncIterator]();
  const instanceLoop = async (index: number) => {
    // Spread the first sandbox starts: started together they all compete for the CPU at once,
    // and with similar instance lengths the workers would stay in lock-step afterwards.
    await sleep(index * inputs.startStagger * 1000, stop.signal);
    for (;;) {
      if (stop.signal.aborted) return;
      const next = await source.next();
      if (next.done) return;
      const instance = next.value;
      const id = instance.instance_id;
      using logFile = await AppendFile.open(inferLogPath(outDir, id));
      // Called from deep inside the episode: a log line the disk refuses ends the run (`fail`)
      // rather than failing whatever step happened to log.
      const log = (line: string) => {
        if (halt.signal.aborted) return;
        try {
          logFile.write(`${new Date().toISOString()} - INFO - ${inputs.redact(line)}\n`);
        } catch (error) {
          fail(error);
        }
      };
      progress.start(id);
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
          ...(networks ? { networks } : {}),
          backend,
          // Running instances finish after a ^C; only a second ^C (process exit) or a failure
          // that ends the run cuts them.
          signal: halt.signal,
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
      if (halt.signal.aborted) return; // cut short: no row, the next run does it again
      const redacted = JSON.parse(inputs.redact(JSON.stringify(row)));
      // A retried instance's row is appended (the last row of an id wins) and the rows it
      // replaces are dropped by one rewrite at the end, not one rewrite per row.
      await writer.append(redacted);
      const rowCost = row.metrics?.accumulated_cost ?? 0;
      cost += rowCost;
      if (row.error) errors++;
      completed++;
      progress.finish(
        id,
        row.error ? `error: ${String(row.error).split("\n")[0]}` : "ok",
        rowCost,
      );
      if (inputs.maxCost !== undefined && cost >= inputs.maxCost && !stop.signal.aborted) {
        stopped = "max_cost";
        inputs.log(`max_cost $${inputs.maxCost} reached ($${cost.toFixed(4)}): no new instances`);
        stop.abort();
      }
    }
  };
  // Every worker ends before the pool returns or throws, so no sandbox outlives a failed run.
  const worker = (_: unknown, index: number) => instanceLoop(index).catch(fail);
  try {
    await Promise.all(Array.from({ length: Math.min(inputs.numWorkers, todo.length) }, worker));
  } finally {
    inputs.signal.removeEventListener("abort", onAbort);
    await source.return?.(undefined);
    await networks?.close();
    progress.close();
  }
  if (failure) throw failure.error;
  await writer.compact(); // drops the rows retried instances replaced (nothing to do: no write)
  if (inputs.signal.aborted && completed < todo.length) stopped = "interrupted";
  return { completed, errors, skipped, cost, ...(stopped ? { stopped } : {}) };
}

/** What a resumed run does: the selected instances to run and those already done. */
export interface ResumePlan {
  /** Selected instances without a row, and those whose row will be replaced. */
  todo: string[];
  /** Instances whose row has an infrastructure error (with `retryErrors`). */
  rerun: Set<string>;
  /** Selected instances that have a row and are not run again. */
  skipped: number;
}

/**
 * Decides from the row index alone (ids and error heads; no row is read) which selected
 * instances run: those without a row, and with `retryErrors` those whose row failed for
 * infrastructure reasons.
 */
export function planResume(
  writer: JsonlWriter,
  selected: readonly string[],
  retryErrors: boolean,
): ResumePlan {
  const rerun = new Set<string>();
  if (retryErrors) {
    for (const entry of writer.entries()) {
      if (isInfrastructureError(entry.err)) rerun.add(entry.id!);
    }
  }
  const todo = selected.filter((id) => !writer.has(id) || rerun.has(id));
  return { todo, rerun, skipped: selected.length - todo.length };
}

/** One log line for a history event: `#7 agent run: pytest -q` / `#8 run (exit 0)`. */
function describeEvent(event: EventDict): string {
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
  instance: Instance,
  inputs: InferRunInputs,
  error: string,
  instruction: string,
) {
  return errorRow({ instance, instruction, metadata: inputs.metadata }, error);
}
