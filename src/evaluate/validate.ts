/**
 * Dataset validation: each task is evaluated with its gold patch (it must resolve) and with no
 * patch at all (its FAIL_TO_PASS tests must not pass), the check users do by hand today.
 *
 * @module
 */
import { join } from "node:path";
import type { Instance } from "../dataset/instance.ts";
import type { Docker } from "../docker/client.ts";
import { reap } from "../docker/containers.ts";
import { imageFor, type ImageNaming } from "../images/image_name.ts";
import { type EvalSettings, evaluateVelora } from "./harness.ts";
import type { Verdict } from "./verdict.ts";

/** One task's two checks. */
export interface ValidationRow {
  id: string;
  gold: Verdict;
  base: Verdict;
  /** Empty when both checks pass. */
  problems: string[];
}

/** Validates every task; returns the rows, the failing ones and a printable table. */
export async function validateDataset(options: {
  dataset: Map<string, Instance>;
  outputDir: string;
  settings: EvalSettings;
  naming: ImageNaming;
  numWorkers: number;
  docker: Docker;
  /** Aborted to start no new task (running ones finish). */
  signal?: AbortSignal;
  log(line: string): void;
}): Promise<{ rows: ValidationRow[]; failing: ValidationRow[]; table: string }> {
  const runLabel = `validate-${crypto.randomUUID().slice(0, 8)}`;
  const instances = [...options.dataset.values()];
  const rows: ValidationRow[] = [];
  let index = 0;
  const worker = async () => {
    while (index < instances.length && !options.signal?.aborted) {
      const instance = instances[index++]!;
      const named = imageFor(instance, options.naming);
      const image = "image" in named ? named.image : { error: named.error };
      const task = { instance, image, runLabel, docker: options.docker };
      const gold = await evaluateVelora(
        {
          ...task,
          patch: instance.patch,
          dir: join(options.outputDir, "gold", instance.instance_id),
        },
        options.settings,
      );
      const base = await evaluateVelora(
        {
          ...task,
          patch: "",
          applyModelPatch: false,
          dir: join(options.outputDir, "no_patch", instance.instance_id),
        },
        options.settings,
      );
      const problems: string[] = [];
      if (!gold.resolved) problems.push(`gold patch: ${gold.category}: ${gold.reason}`);
      if (base.resolved) problems.push("without a patch the task already resolves");
      else if (base.category === "error_eval") problems.push(`without a patch: ${base.reason}`);
      rows.push({ id: instance.instance_id, gold, base, problems });
      options.log(`${instance.instance_id}: ${problems.length === 0 ? "ok" : problems.join("; ")}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.numWorkers) }, worker));
  } finally {
    await reap(options.docker, runLabel);
  }
  rows.sort((a, b) => a.id.localeCompare(b.id));
  const failing = rows.filter((r) => r.problems.length > 0);
  return { rows, failing, table: renderTable(rows, failing) };
}

function renderTable(rows: ValidationRow[], failing: ValidationRow[]): string {
  if (failing.length === 0) {
    return `All ${rows.length} tasks pass: gold resolves, no patch does not.`;
  }
  const width = Math.max(4, ...failing.map((r) => r.id.length));
  return [
    `${failing.length} of ${rows.length} tasks fail validation:`,
    `${"TASK".padEnd(width)}  PROBLEM`,
    ...failing.map((r) => `${r.id.padEnd(width)}  ${r.problems.join("; ")}`),
  ].join("\n");
}
