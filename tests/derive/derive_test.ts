import assert from "node:assert/strict";
import { join } from "node:path";
import { toInstance } from "../../src/dataset/formats/mod.ts";
import { readJsonl } from "../../src/dataset/jsonl.ts";
import { LABEL_INSTANCE } from "../../src/docker/labels.ts";
import { evaluateVelora } from "../../src/evaluate/harness.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { velora } from "../support/velora.ts";
import { DockerBackend } from "../../src/runtime/docker_backend.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
const FAIL_TO_PASS = ["tests/test_durations.py::test_combined_units"];
const PASS_TO_PASS = [
  "tests/test_durations.py::test_format",
  "tests/test_durations.py::test_rejects_garbage",
  "tests/test_durations.py::test_single_unit",
];

/** A gold patch that fixes nothing: with it, nothing flips. */
const HARMLESS = `diff --git a/durations/__init__.py b/durations/__init__.py
--- a/durations/__init__.py
+++ b/durations/__init__.py
@@ -1,3 +1,4 @@
 """Parse human durations such as "1h30m" or "45s" into seconds."""
+# A comment that changes nothing.
 
 import re
`;

/**
 * A test patch adding a test whose result comes from a counter on 127.0.0.1 (the container
 * shares the host network): runs 1, 4, 7, … pass and the others fail, so any three runs in a row
 * (or every other run) disagree. A counter file could not do this: every run is a fresh container.
 */
function flakyTestPatch(port: number): string {
  return `diff --git a/tests/test_flaky.py b/tests/test_flaky.py
new file mode 100644
--- /dev/null
+++ b/tests/test_flaky.py
@@ -0,0 +1,6 @@
+import urllib.request
+
+
+def test_flaky():
+    with urllib.request.urlopen("http://127.0.0.1:${port}/next", timeout=10) as response:
+        assert response.read() == b"pass"
`;
}

function task(id: string, changes: Record<string, unknown> = {}) {
  return { ...demoRow, instance_id: id, FAIL_TO_PASS: [], PASS_TO_PASS: [], ...changes };
}

async function rows(file: string): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for await (const { value } of readJsonl(file)) {
    const row = value as Record<string, unknown>;
    out.set(row.instance_id as string, row);
  }
  return out;
}

async function containersOf(ids: string[]): Promise<number> {
  let count = 0;
  for (const id of ids) {
    const list = await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_INSTANCE}=${id}`] },
    });
    count += list.length;
  }
  return count;
}

async function withDir(fn: (dir: string) => Promise<void>) {
  await ensureDemoImage();
  const dir = await Deno.makeTempDir({ prefix: "velora-derive-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "velora derive: exact FAIL_TO_PASS / PASS_TO_PASS; nothing flips → unusable; rerun skips",
  ignore,
  async fn() {
    await withDir(async (dir) => {
      const suffix = crypto.randomUUID().slice(0, 8);
      const ids = {
        demo: `derive-${suffix}-demo`,
        same: `derive-${suffix}-same`,
        nocmd: `derive-${suffix}-nocmd`,
      };
      await Deno.writeTextFile(
        join(dir, "tasks.jsonl"),
        [
          task(ids.demo),
          task(ids.same, { patch: HARMLESS }),
          task(ids.nocmd, { test_command: "" }),
        ].map((r) => JSON.stringify(r)).join("\n") + "\n",
      );
      const args = ["derive", "tasks.jsonl", "--num-workers", "2", "--timeout", "120"];
      const first = await velora(args, { cwd: dir });
      assert.equal(first.code, 0, first.stderr);
      assert.match(
        first.stdout,
        /^derived 3 of 3 task\(s\) into tasks\.derived\.jsonl: 1 usable, 2 unusable/,
      );
      const out = await rows(join(dir, "tasks.derived.jsonl"));
      const demo = out.get(ids.demo)!;
      assert.deepEqual(demo.FAIL_TO_PASS, FAIL_TO_PASS);
      assert.deepEqual(demo.PASS_TO_PASS, PASS_TO_PASS);
      assert.equal(demo.usable, true);
      assert.equal(demo.unusable_reason, undefined);
      assert.equal(demo.patch, demoRow.patch, "the rest of the row is kept");

      const same = out.get(ids.same)!;
      assert.equal(same.usable, false);
      assert.equal(same.unusable_reason, "no test fails before the gold patch and passes after it");
      assert.deepEqual(same.FAIL_TO_PASS, []);
      assert.deepEqual(same.PASS_TO_PASS, PASS_TO_PASS);
      assert.equal(out.get(ids.nocmd)!.unusable_reason, "the row has no test_command");

      const runDir = join(dir, "tasks.derived.jsonl.runs", ids.demo);
      assert.match(
        await Deno.readTextFile(join(runDir, "before-1", "test_output.txt")),
        /FAILED tests\/test_durations\.py::test_combined_units/,
      );
      assert.match(await Deno.readTextFile(join(runDir, "after-1", "eval.sh")), /model\.patch/);
      assert.equal(await containersOf(Object.values(ids)), 0, "no container is left");

      const again = await velora(args, { cwd: dir });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /derived 0 of 3 .*; 3 already derived/);
    });
  },
});

Deno.test({
  name:
    "velora derive --runs 3 drops a flaky test; the row then evaluates as resolved with its gold patch",
  ignore,
  async fn() {
    let hits = 0;
    await using counter = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response(hits++ % 3 === 0 ? "pass" : "fail"),
    );
    await withDir(async (dir) => {
      const id = `derive-${crypto.randomUUID().slice(0, 8)}-flaky`;
      await Deno.writeTextFile(
        join(dir, "tasks.jsonl"),
        JSON.stringify(
          task(id, { test_patch: [demoRow.test_patch, flakyTestPatch(counter.addr.port)] }),
        ) + "\n",
      );
      const result = await velora(
        ["derive", "tasks.jsonl", "--runs", "3", "--network", "host", "-o", "out.jsonl"],
        { cwd: dir },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(hits, 6, "three runs on each side");
      const row = (await rows(join(dir, "out.jsonl"))).get(id)!;
      assert.deepEqual(row.FAIL_TO_PASS, FAIL_TO_PASS);
      assert.deepEqual(row.PASS_TO_PASS, PASS_TO_PASS);
      assert.deepEqual((row.derive as { flaky_tests: string[] }).flaky_tests, [
        "tests/test_flaky.py::test_flaky",
      ]);
      assert.equal(row.usable, true);
      assert.match(result.stderr, /1 FAIL_TO_PASS, 3 PASS_TO_PASS, 1 flaky left out/);

      const instance = toInstance(row);
      const verdict = await evaluateVelora({
        instance,
        patch: instance.patch,
        image: DEMO_IMAGE,
        dir: join(dir, "eval"),
        runLabel: `derive-test-${crypto.randomUUID().slice(0, 8)}`,
        backend: new DockerBackend(docker),
      }, {
        timeoutSeconds: 120,
        patchFallback: "none",
        network: "none",
        skippedPassToPassOk: false,
      });
      assert.equal(verdict.category, "resolved", verdict.reason);
      assert.equal(await containersOf([id]), 0, "no container is left");
    });
  },
});

Deno.test("velora derive: bad input exits 2 with one line, before any container", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-derive-args-" });
  try {
    await Deno.writeTextFile(
      join(dir, "bad.jsonl"),
      JSON.stringify(task("ok")) + "\n" + JSON.stringify({ instance_id: "x", test_command: "t" }) +
        "\n",
    );
    await Deno.writeTextFile(join(dir, "dup.jsonl"), `${JSON.stringify(task("a"))}\n`.repeat(2));
    const cases: [string[], RegExp][] = [
      [["derive", "missing.jsonl"], /Cannot read task file "missing\.jsonl": no such file/],
      [["derive", "bad.jsonl"], /bad\.jsonl:2: "repo" must be a non-empty string/],
      [["derive", "dup.jsonl"], /dup\.jsonl:2: duplicate instance_id "a"/],
      [
        ["derive", "bad.jsonl", "--network", "wifi"],
        /Cannot use --network "wifi": expected none, bridge/,
      ],
      [["derive", "bad.jsonl", "--runs", "0"], /expected a positive integer, got "0"/],
      [["derive", "dup.jsonl", "-o", "dup.jsonl"], /it is the task file itself/],
    ];
    for (const [args, message] of cases) {
      const result = await velora(args, { cwd: dir });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
