/**
 * `velora derive <tasks.jsonl>`: FAIL_TO_PASS / PASS_TO_PASS from each task's own test runs.
 *
 * @module
 */
import { resolve } from "node:path";
import { checkRowFlags } from "../collect/options.ts";
import { checkTasks, deriveSummaryLine, deriveTasks } from "../derive/derive.ts";
import { type BackendFlags, commandBackend } from "./_backend_flags.ts";
import { InterruptedError, UsageError } from "../errors.ts";
import { imageNaming } from "../images/image_name.ts";
import { redact } from "../redact.ts";
import { parseNetworkMode } from "../runtime/network.ts";
import { withInterrupts } from "./_interrupt.ts";

/** Flags of `velora derive`. */
export interface DeriveFlags extends BackendFlags {
  output?: string;
  workDir?: string;
  runs: number;
  timeout: number;
  workers: number;
  network: string;
  testCommand?: string;
  testOutputParser?: string;
  image?: string;
  force?: true;
  trustRowParsers?: true;
}

/** The default output next to the task file: `tasks.jsonl` → `tasks.derived.jsonl`. */
export function defaultDeriveOutput(tasks: string): string {
  return tasks.replace(/(\.jsonl)?$/, ".derived.jsonl");
}

/** Implements `velora derive`. */
export async function deriveCommand(tasks: string, flags: DeriveFlags): Promise<void> {
  try {
    await Deno.stat(tasks);
  } catch {
    throw new UsageError(`Cannot read task file "${tasks}": no such file`);
  }
  const network = parseNetworkMode(flags.network);
  checkRowFlags(flags);
  const output = resolve(flags.output ?? defaultDeriveOutput(tasks));
  if (output === resolve(tasks)) {
    throw new UsageError(`Cannot write to "${flags.output}": it is the task file itself`);
  }
  await checkTasks({
    tasks,
    ...(flags.testCommand ? { testCommand: flags.testCommand } : {}),
    ...(flags.testOutputParser ? { testOutputParser: flags.testOutputParser } : {}),
  });
  const backend = await commandBackend(flags);
  await withInterrupts(async ({ signal, onStopNow }) => {
    onStopNow(() => backend.reapOwned());
    const summary = await deriveTasks({
      tasks: resolve(tasks),
      output,
      workDir: resolve(flags.workDir ?? `${output}.runs`),
      runs: flags.runs,
      numWorkers: flags.workers,
      settings: {
        timeoutSeconds: flags.timeout,
        patchFallback: "none",
        network,
        skippedPassToPassOk: false,
        ...(flags.trustRowParsers ? { trustRowParsers: true } : {}),
      },
      naming: imageNaming({ image: flags.image }),
      ...(flags.testCommand ? { testCommand: flags.testCommand } : {}),
      ...(flags.testOutputParser ? { testOutputParser: flags.testOutputParser } : {}),
      ...(flags.force ? { force: true } : {}),
      backend,
      signal,
      log: (line) => console.error(redact(line)),
    });
    console.log(redact(deriveSummaryLine(summary, flags.output ?? defaultDeriveOutput(tasks))));
    if (summary.interrupted) throw new InterruptedError("Interrupted; run again to go on");
  }, { containers: true });
}
