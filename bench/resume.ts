/**
 * Resume benchmark: an `output.jsonl` of 10,000 finished rows of about 50 KB (≈ 0.5 GB), and the
 * time and peak RSS of
 *
 * - `python3 -c` doing `json.loads` of every line (the floor of any reader that parses rows);
 * - every row parsed and kept, as resuming did before the row index (`JsonlWriter.rows()`);
 * - resuming infer (`JsonlWriter.open` + `planResume`, `retry_errors` on) with no index: the
 *   index is rebuilt by streaming the file;
 * - the same with the index (the usual resume);
 * - `velora export --format swe-bench-preds`;
 * - evaluate resumed with every instance already evaluated with the same patch (Docker stubbed):
 *   once adding `report` to every row, once with nothing to write;
 * - `retry_errors`' rewrite: 200 rows appended again, then one compaction.
 *
 * Each runs in its own process (`tests/output/_big_scenario.ts`), which reports its time (after
 * start-up) and peak RSS (VmHWM); the process's whole wall time is measured too.
 *
 *     deno run -A --frozen --lock=tests/deno.lock bench/resume.ts [rows] [row KB]
 *
 * @module
 */
import { join } from "node:path";
import {
  bigTempDir,
  runScenario,
  type ScenarioResult,
  writeBigOutput,
  writeBigVerdicts,
} from "../tests/output/_big_output.ts";

const rows = Number(Deno.args[0] ?? 10_000);
const rowKb = Number(Deno.args[1] ?? 50);

const PYTHON = `
import json, re, sys, time
t = time.perf_counter()
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        json.loads(line)
        n += 1
seconds = time.perf_counter() - t
# VmHWM, not ru_maxrss: ru_maxrss keeps the parent's peak across fork and exec.
hwm = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
print(json.dumps({"rows": n, "seconds": seconds, "peakMb": round(hwm / 1024)}))
`;

async function python(path: string): Promise<ScenarioResult> {
  const out = await new Deno.Command("python3", {
    args: ["-c", PYTHON, path],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("python3 failed");
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

async function timed(run: () => Promise<ScenarioResult>) {
  const started = performance.now();
  const result = await run();
  return { ...result, wall: (performance.now() - started) / 1000 };
}

const dir = await bigTempDir();
try {
  const { path, bytes } = await writeBigOutput(dir, rows, rowKb);
  // Read the file once so every measurement starts from the page cache.
  await python(path);
  const measures: Array<[string, Awaited<ReturnType<typeof timed>>]> = [];
  measures.push(["python3: `json.loads` of every line", await timed(() => python(path))]);
  measures.push([
    "every row parsed and kept (resume before the index)",
    await timed(() => runScenario("rows-in-memory", dir)),
  ]);
  measures.push([
    "resume, no index (rebuilt by streaming)",
    await timed(() => runScenario("resume", dir)),
  ]);
  measures.push(["resume with the index", await timed(() => runScenario("resume", dir))]);
  measures.push(["export swe-bench-preds", await timed(() => runScenario("export", dir))]);
  await writeBigVerdicts(dir, rows);
  measures.push([
    "evaluate resumed, all done: `report` added to every row (one streamed rewrite)",
    await timed(() => runScenario("evaluate", dir)),
  ]);
  measures.push([
    "evaluate resumed, all done, reports unchanged (nothing written)",
    await timed(() => runScenario("evaluate", dir)),
  ]);
  measures.push([
    `retry_errors rewrite (${rows / 50} rows appended, one compaction)`,
    await timed(() => runScenario("retry", dir)),
  ]);

  console.log(
    `Resume benchmark: ${rows} rows of ~${rowKb} KB, output.jsonl ${(bytes / 1e6).toFixed(0)} MB` +
      ` (${join(dir, "output.jsonl")}), ${Deno.build.target}`,
  );
  console.log("");
  console.log("| measure | time (after start-up) | process wall time | peak RSS |");
  console.log("|---|---|---|---|");
  for (const [name, m] of measures) {
    console.log(
      `| ${name} | ${m.seconds.toFixed(2)} s | ${m.wall.toFixed(2)} s | ${m.peakMb} MB |`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
