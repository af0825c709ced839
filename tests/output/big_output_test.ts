/**
 * Memory bounds on a big output: 10,000 finished rows of about 50 KB (≈ 0.5 GB, in a temp dir,
 * in /dev/shm where there is room; removed after). Each step runs in a child process (`_big_scenario.ts`) that reports its own
 * peak RSS (VmHWM); none may pass 250 MB whatever the size of the trajectories. (Before the row
 * index, resuming kept every row: over 600 MB here.) No timing is asserted; `bench/resume.ts`
 * measures time.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { JsonlWriter } from "../../src/output/jsonl_writer.ts";
import { indexPathOf } from "../../src/output/row_index.ts";
import {
  bigErrored,
  bigId,
  bigTempDir,
  runScenario,
  writeBigOutput,
  writeBigVerdicts,
} from "./_big_output.ts";

const ROWS = 10_000;
const BOUND_MB = 250;
const ERRORED = Array.from({ length: ROWS }, (_, i) => i).filter(bigErrored).length;

Deno.test("10,000 rows of 50 KB: resume, retry, replace, export and evaluate stay under 250 MB", async (t) => {
  const dir = await bigTempDir();
  try {
    const { path, bytes } = await writeBigOutput(dir, ROWS, 50);
    assert.ok(bytes > 500e6, `${bytes} bytes`);
    const bounded = (name: string, result: { peakMb: number }) =>
      assert.ok(result.peakMb <= BOUND_MB, `${name}: peak RSS ${result.peakMb} MB`);

    await t.step("resume without an index: rebuilt by streaming", async () => {
      const result = await runScenario("resume", dir);
      bounded("resume (rebuild)", result);
      assert.deepEqual(
        { index: result.index, rows: result.rows, rerun: result.rerun, todo: result.todo },
        { index: "rebuilt", rows: ROWS, rerun: ERRORED, todo: ERRORED + 100 },
      );
    });

    await t.step("resume with the index", async () => {
      const result = await runScenario("resume", dir);
      bounded("resume (index)", result);
      assert.equal(result.index, "read");
      assert.equal(result.skipped, ROWS - ERRORED);
    });

    await t.step("export (swe-bench-preds)", async () => {
      const result = await runScenario("export", dir);
      bounded("export", result);
      assert.deepEqual([result.rows, result.written], [ROWS, ROWS]);
      const preds = JSON.parse(await Deno.readTextFile(join(dir, "export", "preds.json")));
      assert.equal(Object.keys(preds).length, ROWS);
    });

    await t.step(
      "evaluate resumed: every row reused, reports added in one streamed rewrite",
      async () => {
        await writeBigVerdicts(dir, ROWS);
        const first = await runScenario("evaluate", dir);
        bounded("evaluate (reports written)", first);
        assert.deepEqual([first.total, first.reused, first.evaluated], [ROWS, ROWS, 0]);
        const mtime = (await Deno.stat(path)).mtime;
        const second = await runScenario("evaluate", dir);
        bounded("evaluate (nothing to write)", second);
        assert.deepEqual((await Deno.stat(path)).mtime, mtime, "no rewrite when no report changes");
        const writer = await JsonlWriter.open(path, { index: true });
        assert.equal(writer.indexState, "read");
        const row = await writer.row(bigId(3));
        assert.deepEqual((row!.report as { resolved: boolean }).resolved, true);
        assert.ok(await Deno.stat(indexPathOf(path)));
      },
    );
    await t.step("retry: errored rows appended again, then one compaction", async () => {
      const result = await runScenario("retry", dir);
      bounded("retry", result);
      assert.deepEqual([result.index, result.rows, result.rerun], ["read", ROWS, ERRORED]);
      const again = await runScenario("resume", dir);
      assert.deepEqual([again.index, again.rerun, again.todo], ["read", 0, 100]);
    });

    await t.step("replace one row", async () => {
      const result = await runScenario("replace", dir);
      bounded("replace", result);
      assert.deepEqual([result.index, result.rows, result.last], ["read", ROWS, bigId(0)]);
      const writer = await JsonlWriter.open(path, { index: true });
      assert.equal(writer.indexState, "read");
      assert.equal((await writer.row(bigId(0)))!.error, null);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
