import assert from "node:assert/strict";
import { join } from "node:path";
import { toInstance } from "../../src/dataset/formats/mod.ts";
import type { Instance } from "../../src/dataset/instance.ts";
import { LABEL_RUN } from "../../src/docker/labels.ts";
import type { EvalSettings } from "../../src/evaluate/harness.ts";
import { runEvaluation } from "../../src/evaluate/run_evaluation.ts";
import { validateDataset } from "../../src/evaluate/validate.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { DockerBackend } from "../../src/runtime/docker_backend.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
const SETTINGS: EvalSettings = {
  timeoutSeconds: 60,
  patchFallback: "none",
  network: "none",
  skippedPassToPassOk: false,
};

/** The gold fix plus a change that breaks format_duration (a PASS_TO_PASS test). */
const BREAKS_P2P = await Deno.readTextFile(
  new URL("../testdata/demo/breaks_pass_to_pass.diff", import.meta.url),
);

const NOT_APPLYING = `diff --git a/durations/__init__.py b/durations/__init__.py
--- a/durations/__init__.py
+++ b/durations/__init__.py
@@ -1,3 +1,3 @@
-"""This line is not in the file."""
+"""Neither is this one."""
 
 import re
`;

function instanceOf(id: string, changes: Record<string, unknown> = {}): Instance {
  return toInstance({ ...demoRow, instance_id: id, ...changes });
}

async function evaluateRows(
  rows: { instance: Instance; patch: string | null }[],
  settings: EvalSettings = SETTINGS,
) {
  await ensureDemoImage();
  const dir = await Deno.makeTempDir({ prefix: "velora-eval-" });
  const file = join(dir, "output.jsonl");
  await Deno.writeTextFile(
    file,
    rows.map((r) =>
      JSON.stringify({
        instance_id: r.instance.instance_id,
        test_result: r.patch === null ? {} : { git_patch: r.patch },
        instance: r.instance.row,
      })
    ).join("\n") + "\n",
  );
  const result = await runEvaluation({
    trajectoryFile: file,
    settings,
    naming: { runtimeContainerImage: DEMO_IMAGE },
    numWorkers: 3,
    backend: new DockerBackend(docker),
    signal: new AbortController().signal,
    log: () => {},
  });
  return { dir, file, result };
}

async function report(dir: string, id: string) {
  return JSON.parse(await Deno.readTextFile(join(dir, "eval_outputs", id, "report.json")))[id];
}

Deno.test({
  name:
    "evaluate: gold resolves; empty, unappliable, P2P-breaking and unknown-parser rows are kept apart",
  ignore,
  async fn() {
    const rows = [
      { instance: instanceOf("gold"), patch: demoRow.patch },
      { instance: instanceOf("empty"), patch: "" },
      { instance: instanceOf("none"), patch: null },
      { instance: instanceOf("bad-apply"), patch: NOT_APPLYING },
      { instance: instanceOf("breaks-p2p"), patch: BREAKS_P2P },
      {
        instance: instanceOf("bad-parser", { test_output_parser: "python/parse_log_pytset" }),
        patch: demoRow.patch,
      },
    ];
    const { dir, file, result } = await evaluateRows(rows);
    try {
      assert.equal(result.total, 6);
      assert.equal(result.resolved, 1);
      const gold = await report(dir, "gold");
      assert.equal(gold.resolved, true);
      assert.equal(gold.patch_successfully_applied, true);
      assert.deepEqual(gold.tests_status.FAIL_TO_PASS.success, [
        "tests/test_durations.py::test_combined_units",
      ]);
      assert.equal((await report(dir, "empty")).category, "empty_patch");
      assert.equal((await report(dir, "none")).patch_is_None, true);
      const badApply = await report(dir, "bad-apply");
      assert.equal(badApply.category, "failed_apply_patch");
      assert.equal(badApply.patch_successfully_applied, false);
      const breaks = await report(dir, "breaks-p2p");
      assert.equal(breaks.category, "unresolved");
      assert.equal(breaks.reason, "PASS_TO_PASS tests/test_durations.py::test_format: FAILED");
      const badParser = await report(dir, "bad-parser");
      assert.equal(badParser.category, "error_eval");
      assert.match(badParser.reason, /Unknown test output parser "python\/parse_log_pytset"/);

      for (const name of ["eval.sh", "patch.diff", "test_output.txt", "run_instance.log"]) {
        assert.ok((await Deno.stat(join(dir, "eval_outputs", "gold", name))).isFile, name);
      }
      assert.match(
        await Deno.readTextFile(join(dir, "eval_outputs", "gold", "eval.sh")),
        /python3 -m pytest -rA/,
      );
      const aggregate = JSON.parse(
        await Deno.readTextFile(join(dir, "eval_outputs", "report.json")),
      );
      assert.deepEqual(aggregate.resolved_ids, ["gold"]);
      assert.equal(aggregate.submitted_instances, 6);
      const summary = JSON.parse(
        await Deno.readTextFile(join(dir, "eval_outputs", "eval_summary.json")),
      );
      assert.equal(summary.total_instances, 6);
      const rowsAfter = (await Deno.readTextFile(file)).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      assert.deepEqual(
        rowsAfter.map((r) => r.instance_id),
        rows.map((r) => r.instance.instance_id),
      );
      assert.equal(rowsAfter[0].report.resolved, true);
      assert.equal(rowsAfter[3].report.failed_apply_patch, true);

      // Run again: nothing is evaluated again while the patches are unchanged.
      const again = await runEvaluation({
        trajectoryFile: file,
        settings: SETTINGS,
        naming: { runtimeContainerImage: DEMO_IMAGE },
        numWorkers: 2,
        backend: new DockerBackend(docker),
        signal: new AbortController().signal,
        log: () => {},
      });
      assert.equal(again.evaluated, 0);
      assert.equal(again.reused, 6);
      assert.equal(again.resolved, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "evaluate: tests that run past the time limit are test_timeout and leave no process behind",
  ignore,
  async fn() {
    const slow = instanceOf("slow", {
      test_command:
        "(sleep 600 &) ; sleep 600 & python3 -m pytest -rA -p no:cacheprovider tests; sleep 600",
    });
    const started = performance.now();
    const { dir } = await evaluateRows([{ instance: slow, patch: demoRow.patch }], {
      ...SETTINGS,
      timeoutSeconds: 3,
    });
    try {
      assert.ok(performance.now() - started < 60_000);
      const verdict = await report(dir, "slow");
      assert.equal(verdict.category, "test_timeout");
      const log = await Deno.readTextFile(join(dir, "eval_outputs", "slow", "run_instance.log"));
      assert.match(log, /passed the 3s limit and were killed; no process left/);
      assert.match(
        await Deno.readTextFile(join(dir, "eval_outputs", "slow", "test_output.txt")),
        /passed/,
      );
      const left = await docker.listContainers({ all: true, filters: { label: [LABEL_RUN] } });
      assert.equal(left.filter((c) => c.Labels["velora.instance"] === "slow").length, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "validate lists exactly the task whose gold patch is broken",
  ignore,
  async fn() {
    await ensureDemoImage();
    const dir = await Deno.makeTempDir({ prefix: "velora-validate-" });
    try {
      const dataset = new Map([
        ["good", instanceOf("good")],
        ["broken-gold", instanceOf("broken-gold", { patch: BREAKS_P2P })],
      ]);
      const result = await validateDataset({
        dataset,
        outputDir: dir,
        settings: SETTINGS,
        naming: { runtimeContainerImage: DEMO_IMAGE },
        numWorkers: 2,
        backend: new DockerBackend(docker),
        log: () => {},
      });
      assert.deepEqual(result.failing.map((r) => r.id), ["broken-gold"]);
      assert.match(
        result.table,
        /^broken-gold +gold patch: unresolved: PASS_TO_PASS tests\/test_durations\.py::test_format: FAILED$/m,
      );
      const good = result.rows.find((r) => r.id === "good")!;
      assert.ok("category" in good.base);
      assert.equal(good.base.category, "unresolved", "without the patch the new test fails");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "evaluate: Multi-SWE-bench rows run /home/fix-run.sh and are judged against the stored results",
  ignore,
  async fn() {
    await ensureDemoImage();
    const row = JSON.parse(
      (await Deno.readTextFile(
        new URL("../testdata/samples/iamkun__dayjs-337.jsonl", import.meta.url),
      ))
        .split("\n")[0]!,
    );
    const goldLog = await Deno.readTextFile(
      new URL("../testdata/logs/mswebench/iamkun__dayjs-337.fix-patch-run.log", import.meta.url),
    );
    // An image in the Multi-SWE-bench layout: fix-run.sh prints the harness log of the real row
    // when /home/fix.patch is its gold patch, and a log without the fixed tests otherwise.
    const context = await Deno.makeTempDir({ prefix: "velora-msb-image-" });
    const tag = `velora-test-msb/iamkun_m_dayjs:pr-337-${crypto.randomUUID().slice(0, 8)}`;
    const marker = row.fix_patch.split("\n").find((l: string) =>
      l.startsWith("+") && l.length > 20
    )!;
    await Deno.writeTextFile(join(context, "gold.log"), goldLog);
    await Deno.writeTextFile(join(context, "marker"), marker.slice(1) + "\n");
    await Deno.writeTextFile(
      join(context, "fix-run.sh"),
      "#!/bin/bash\nif grep -qF -f /home/marker /home/fix.patch; then cat /home/gold.log; " +
        "else echo 'FAIL test/constructor.test.js'; fi\n",
    );
    await Deno.writeTextFile(
      join(context, "Dockerfile"),
      `FROM ${DEMO_IMAGE}\nCOPY gold.log marker fix-run.sh /home/\n`,
    );
    const build = await new Deno.Command("docker", {
      args: ["build", "-q", "--network", "host", "--label", "velora.test=1", "-t", tag, context],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(build.success, new TextDecoder().decode(build.stderr));
    const dir = await Deno.makeTempDir({ prefix: "velora-msb-" });
    try {
      const file = join(dir, "output.jsonl");
      await Deno.writeTextFile(
        file,
        [
          {
            instance_id: "iamkun__dayjs-337",
            test_result: { git_patch: row.fix_patch },
            instance: row,
          },
        ].map((r) => JSON.stringify(r)).join("\n") + "\n",
      );
      const evaluate = () =>
        runEvaluation({
          trajectoryFile: file,
          settings: SETTINGS,
          naming: { template: tag },
          numWorkers: 1,
          force: true,
          backend: new DockerBackend(docker),
          signal: new AbortController().signal,
          log: () => {},
        });
      const resolved = await evaluate();
      assert.equal(resolved.resolved, 1);
      const final = JSON.parse(
        await Deno.readTextFile(join(dir, "eval_outputs", "final_report.json")),
      );
      assert.deepEqual(final.resolved_ids, ["iamkun/dayjs:pr-337"]);
      const perInstance = JSON.parse(
        await Deno.readTextFile(join(dir, "eval_outputs", "iamkun__dayjs-337", "report.json")),
      );
      assert.deepEqual(perInstance.fix_patch_result, row.fix_patch_result);

      await Deno.writeTextFile(
        file,
        JSON.stringify({
          instance_id: "iamkun__dayjs-337",
          test_result: { git_patch: "diff --git a/x b/x\n" },
          instance: row,
        }) + "\n",
      );
      const unresolved = await evaluate();
      assert.equal(unresolved.resolved, 0);
      const after = JSON.parse(
        await Deno.readTextFile(join(dir, "eval_outputs", "final_report.json")),
      );
      assert.deepEqual(after.resolved_ids, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(context, { recursive: true });
      await docker.getImage(tag).remove({ force: true });
    }
  },
});
