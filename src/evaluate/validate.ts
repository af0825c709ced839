/**
 * Dataset validation: each task is evaluated with its gold patch (it must resolve) and with no
 * patch at all (it must not resolve), the check users do by hand today. Each row goes the way
 * `evaluate` sends it: a Velora or SWE-bench row through its `test_command` and parser; a
 * Multi-SWE-bench row through the reference path, `fix-run.sh` with the gold `fix_patch` at
 * `/home/fix.patch` judged against its stored results, and `test-run.sh` (the test patch only)
 * judged the same way for the check without a patch.
 *
 * @module
 */
import { join } from "node:path";
import type { Instance } from "../dataset/instance.ts";
import type { SandboxBackend } from "../runtime/backend.ts";
import { imageFor, type ImageNaming } from "../images/image_name.ts";
import { type EvalSettings, evaluateMsb, evaluateVelora, usesMsbRule } from "./harness.ts";
import type { MsbVerdict } from "./mswebench_rule.ts";
import type { Verdict } from "./verdict.ts";

/** One task's two checks (Multi-SWE-bench rows: the reference rule's verdicts). */
export interface ValidationRow {
  id: string;
  gold: Verdict | MsbVerdict;
  base: Verdict | MsbVerdict;
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
  /** Where the containers run. */
  backend: SandboxBackend;
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
      const task = { instance, image, runLabel, backend: options.backend };
      const goldTask = {
        ...task,
        patch: instance.patch,
        dir: join(options.outputDir, "gold", instance.instance_id),
      };
      const baseTask = {
        ...task,
        patch: "",
        applyModelPatch: false,
        dir: join(options.outputDir, "no_patch", instance.instance_id),
      };
      const msb = usesMsbRule(instance);
      const gold = msb
        ? await evaluateMsb(goldTask, options.settings)
        : await evaluateVelora(goldTask, options.settings);
      const base = msb
        ? await evaluateMsb(baseTask, options.settings, "test")
        : await evaluateVelora(baseTask, options.settings);
      const problems: string[] = [];
      if (!gold.resolved) problems.push(`gold patch: ${categoryOf(gold)}: ${gold.reason}`);
      if (base.resolved) problems.push("without a patch the task already resolves");
      else if (isError(base)) problems.push(`without a patch: ${base.reason}`);
      rows.push({ id: instance.instance_id, gold, base, problems });
      options.log(`${instance.instance_id}: ${problems.length === 0 ? "ok" : problems.join("; ")}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.numWorkers) }, worker));
  } finally {
    await options.backend.reap(runLabel);
  }
  rows.sort((a, b) => a.id.localeCompare(b.id));
  const failing = rows.filter((r) => r.problems.length > 0);
  return { rows, failing, table: renderTable(rows, failing) };
}

/** A velora category, or a Multi-SWE-bench outcome (`error_infra` apart). */
function categoryOf(verdict: Verdict | MsbVerdict): string {
  if ("category" in verdict) return verdict.category;
  return verdict.infra ? "error_infra" : verdict.outcome;
}

/** The check could not be made: the harness or the infrastructure failed. */
function isError(verdict: Verdict | MsbVerdict): boolean {
  const category = categoryOf(verdict);
  return category === "error_eval" || category === "error_infra" || category === "error";
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
