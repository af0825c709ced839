/**
 * One scenario on a big output directory (`_big_output.ts`), run as a child process so its peak
 * RSS is its own: prints one JSON line `{ peakMb, seconds, ... }`.
 *
 *     deno run -A tests/output/_big_scenario.ts <scenario> <dir>
 *
 * Scenarios: `resume` (open output.jsonl and decide what infer runs, retry_errors on), `retry`
 * (append a new row for each errored instance, then compact), `replace` (replace one row),
 * `export` (swe-bench-preds), `evaluate` (every instance already evaluated with the same patch;
 * Docker stubbed), `rows-in-memory` (every row parsed and kept, as resuming did before the index).
 *
 * @module
 */
import { join } from "node:path";
import { MAX_DATASET_LINE, readJsonl } from "../../src/dataset/jsonl.ts";
import type { Docker } from "../../src/docker/client.ts";
import { runEvaluation } from "../../src/evaluate/run_evaluation.ts";
import { runExport } from "../../src/export/run_export.ts";
import { planResume } from "../../src/infer/infer_run.ts";
import { JsonlWriter } from "../../src/output/jsonl_writer.ts";
import { bigId } from "./_big_output.ts";
import { DockerBackend } from "../../src/runtime/docker_backend.ts";

const [scenario, dir] = Deno.args;
if (!scenario || !dir) throw new Error("usage: _big_scenario.ts <scenario> <dir>");
const path = join(dir, "output.jsonl");

function peakMb(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

const started = performance.now();
let facts: Record<string, unknown> = {};
switch (scenario) {
  case "resume": {
    const writer = await JsonlWriter.open(path, { index: true });
    const selected = Array.from({ length: writer.size + 100 }, (_, i) => bigId(i));
    const plan = planResume(writer, selected, true);
    facts = {
      index: writer.indexState,
      rows: writer.size,
      todo: plan.todo.length,
      rerun: plan.rerun.size,
      skipped: plan.skipped,
    };
    break;
  }
  case "retry": {
    const writer = await JsonlWriter.open(path, { index: true });
    const plan = planResume(writer, writer.ids(), true);
    for (const id of plan.rerun) {
      await writer.append({ instance_id: id, test_result: { git_patch: "" }, error: null });
    }
    await writer.compact();
    facts = { index: writer.indexState, rows: writer.size, rerun: plan.rerun.size };
    break;
  }
  case "replace": {
    const writer = await JsonlWriter.open(path, { index: true });
    const id = writer.ids()[0]!;
    await writer.replace([{ instance_id: id, test_result: { git_patch: "" }, error: null }]);
    facts = { index: writer.indexState, rows: writer.size, last: writer.ids().at(-1) };
    break;
  }
  case "export": {
    const result = await runExport(path, {
      format: "swe-bench-preds",
      outDir: join(dir, "export"),
      filters: { resolvedOnly: false, excludeErrors: false },
      modelName: "fake",
    });
    facts = { rows: result.rows, written: result.written };
    break;
  }
  case "evaluate": {
    const docker = { listContainers: () => Promise.resolve([]) } as unknown as Docker;
    const result = await runEvaluation({
      trajectoryFile: path,
      settings: {
        timeoutSeconds: 60,
        patchFallback: "none",
        network: "none",
        skippedPassToPassOk: false,
      },
      naming: {},
      numWorkers: 2,
      backend: new DockerBackend(docker),
      signal: new AbortController().signal,
      log: () => {},
    });
    facts = {
      total: result.total,
      reused: result.reused,
      evaluated: result.evaluated,
      resolved: result.resolved,
    };
    break;
  }
  case "rows-in-memory": {
    const rows = new Map<string, unknown>();
    for await (const { value } of readJsonl(path, { maxLineChars: MAX_DATASET_LINE })) {
      rows.set((value as { instance_id: string }).instance_id, value);
    }
    facts = { rows: rows.size };
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
console.log(JSON.stringify({
  ...facts,
  seconds: (performance.now() - started) / 1000,
  peakMb: Math.round(peakMb()),
}));
