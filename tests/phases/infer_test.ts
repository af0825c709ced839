import assert from "node:assert/strict";
import { join } from "node:path";
import { execIn, reap, startContainer } from "../../src/docker/containers.ts";
import { LABEL_RUN, labelFilter } from "../../src/docker/labels.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker, testDocker, uniqueRunLabel } from "../support/docker.ts";
import { listTree, readOrEmpty, spawnVelora, velora, waitFor } from "../support/velora.ts";
import { writeScriptedInfer } from "../support/scripted_infer.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));

/** Eight rows over the three formats, all of the demo project. */
function fixtureRows(): Record<string, unknown>[] {
  const velora = [1, 2, 3].map((n) => ({ ...demoRow, instance_id: `demo__durations-v${n}` }));
  const msb = [11, 12, 13].map((n) => ({
    org: "demo",
    repo: "durations",
    number: n,
    state: "closed",
    title: "combined durations",
    body: "",
    base: { label: "demo:main", ref: "main", sha: demoRow.base_commit },
    resolved_issues: [{
      number: 1,
      title: "parse_duration is wrong",
      body: demoRow.problem_statement,
    }],
    fix_patch: demoRow.patch,
    test_patch: demoRow.test_patch,
    f2p_tests: {
      "tests/test_durations.py::test_combined_units": { run: "NONE", test: "FAIL", fix: "PASS" },
    },
    p2p_tests: {},
    instance_id: `demo__durations-${n}`,
  }));
  const swe = ["s1", "s2"].map((s) => ({
    instance_id: `demo__durations-${s}`,
    repo: "demo/durations",
    base_commit: demoRow.base_commit,
    problem_statement: demoRow.problem_statement,
    version: "0.1",
    patch: demoRow.patch,
    test_patch: demoRow.test_patch,
    FAIL_TO_PASS: demoRow.FAIL_TO_PASS,
    PASS_TO_PASS: demoRow.PASS_TO_PASS,
  }));
  return [...velora, ...msb, ...swe];
}

async function setup(script?: unknown[]): Promise<{ dir: string }> {
  await ensureDemoImage();
  const dir = await Deno.makeTempDir({ prefix: "velora-infer-" });
  await writeScriptedInfer(dir, {
    name: "infer-fixture",
    rows: fixtureRows(),
    workers: 4,
    ...(script ? { script } : {}),
  });
  return { dir };
}

const ENV = { RUNTIME_CONTAINER_IMAGE: DEMO_IMAGE };
const OUT = "run/outputs/tasks.jsonl-train/CodeActAgent/scripted_script.json_maxiter_20";

// deno-lint-ignore no-explicit-any -- rows are parsed JSON, checked field by field
async function outputRows(dir: string): Promise<Record<string, any>[]> {
  const text = await readOrEmpty(join(dir, OUT, "output.jsonl"));
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

Deno.test({
  name: "infer runs 8 instances of three row formats with 4 workers into OpenHands output",
  ignore,
  async fn() {
    const { dir } = await setup();
    try {
      const result = await velora(["run", "p.toml"], { cwd: dir, env: ENV });
      assert.equal(result.code, 0, result.stderr);
      const rows = await outputRows(dir);
      assert.equal(rows.length, 8);
      assert.deepEqual(
        rows.map((r) => r.instance_id).sort(),
        fixtureRows().map((r) => r.instance_id).sort(),
      );
      for (const row of rows) {
        assert.deepEqual(Object.keys(row), [
          "instance_id",
          "test_result",
          "instruction",
          "metadata",
          "history",
          "metrics",
          "error",
          "instance",
        ]);
        assert.equal(row.error, null, `${row.instance_id}: ${row.error}`);
        assert.match(row.test_result.git_patch, /^diff --git a\/durations\/__init__.py/);
        assert.match(row.test_result.git_patch, /^\+ {8}total \+= int/m);
        assert.equal(row.instance.base_commit, demoRow.base_commit);
        assert.equal(row.history.at(-1).action, "finish");
        assert.match(row.instruction, /<uploaded_files>\n\/workspace\/demo__durations__0\.1\n/);
      }
      const files = await listTree(join(dir, OUT));
      assert.ok(files.includes("metadata.json"));
      assert.ok(files.includes("infer_logs/instance_demo__durations-11.log"));
      assert.ok(files.some((f) => f.startsWith("llm_completions/demo__durations-s1/")));
      const metadata = JSON.parse(await Deno.readTextFile(join(dir, OUT, "metadata.json")));
      assert.equal(metadata.agent_class, "CodeActAgent");
      assert.equal(metadata.max_iterations, 20);

      await assertPatchFixesTest(rows[0]!.test_result.git_patch);

      const again = await velora(["run", "p.toml", "--rerun", "infer"], { cwd: dir, env: ENV });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /8 instances already have a row in output\.jsonl: skipped/);
      assert.equal((await outputRows(dir)).length, 8);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Applies a patch and the test patch to the base commit in a fresh container; the tests pass. */
async function assertPatchFixesTest(patch: string) {
  const run = uniqueRunLabel("patch-check");
  const container = await startContainer(docker, {
    image: DEMO_IMAGE,
    labels: { [LABEL_RUN]: run },
    cmd: ["sleep", "300"],
    network: "none",
  });
  try {
    const sh = (script: string) => execIn(container, ["bash", "-c", script]);
    const write = (file: string, text: string) =>
      sh(`cat > ${file} <<'VELORA_EOF'\n${text}\nVELORA_EOF`);
    await write("/tmp/fix.diff", patch);
    await write("/tmp/test.diff", demoRow.test_patch);
    const before = await sh(
      "cd /app/repo && git apply /tmp/test.diff && python3 -m pytest -q -p no:cacheprovider tests",
    );
    assert.notEqual(before.exitCode, 0, "the new test fails before the fix");
    const after = await sh(
      "cd /app/repo && git apply /tmp/fix.diff && python3 -m pytest -q -p no:cacheprovider tests",
    );
    assert.equal(after.exitCode, 0, after.stdout + after.stderr);
  } finally {
    await reap(docker, run);
  }
}

Deno.test({
  name: "infer fails before any container starts when dataset line 3 is bad, naming line 3",
  ignore,
  async fn() {
    const { dir } = await setup();
    try {
      const lines = (await Deno.readTextFile(join(dir, "tasks.jsonl"))).split("\n");
      lines[2] = '{"instance_id": "broken", ';
      await Deno.writeTextFile(join(dir, "tasks.jsonl"), lines.join("\n"));
      const result = await velora(["run", "p.toml"], { cwd: dir, env: ENV });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /^velora: \S*tasks\.jsonl:3: not valid JSON/m);
      assert.doesNotMatch(result.stderr, /Starting a sandbox|started/);
      await assert.rejects(Deno.stat(join(dir, OUT)), Deno.errors.NotFound, "nothing was written");
      assert.deepEqual(await outputRows(dir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "kill -9 of velora with 4 instances running, then run again: rows kept, no duplicates, no leftovers",
  ignore,
  async fn() {
    // A slow step keeps instances running long enough to be caught mid-episode.
    const script = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/scripted_model.json`));
    script.splice(1, 0, {
      tool_calls: [{ name: "execute_bash", arguments: { command: "sleep 3", timeout: 30 } }],
    });
    const { dir } = await setup(script);
    try {
      await Deno.writeTextFile(
        join(dir, "p.toml"),
        (await Deno.readTextFile(join(dir, "p.toml"))).replace(
          "num_workers = 4",
          "num_workers = 4\neval_ids = " +
            JSON.stringify(fixtureRows().slice(0, 7).map((r) => r.instance_id)),
        ),
      );
      // Sandboxes outlive the killed velora for 2 minutes (the dead man's switch would otherwise
      // remove them before the rerun's preflight can show that it reaps them).
      const first = spawnVelora(["run", "p.toml"], {
        cwd: dir,
        env: { ...ENV, VELORA_SANDBOX_OWNER_TIMEOUT: "120" },
      });
      // Let the first wave of four finish, then kill velora while the next wave runs.
      await waitFor("4 rows", async () => (await outputRows(dir)).length >= 4, 120_000);
      const running = async () =>
        (await docker.listContainers({
          filters: { label: [labelFilter("velora.phase", "infer")] },
        }))
          .filter((c) => c.Labels["velora.pid"] === String(first.pid)).length;
      await waitFor("the second wave to run", async () => (await running()) >= 3, 60_000);
      first.kill("SIGKILL");
      await first.done;
      const kept = await outputRows(dir);
      assert.ok(kept.length >= 4 && kept.length < 7, `rows after kill: ${kept.length}`);
      const leftovers = (await docker.listContainers({ all: true }))
        .filter((c) => c.Labels["velora.pid"] === String(first.pid));
      assert.ok(leftovers.length > 0, "the killed run left sandboxes behind");

      const second = await velora(["run", "p.toml"], { cwd: dir, env: ENV });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /removed \d+ containers left by an earlier run/);
      const rows = await outputRows(dir);
      assert.equal(rows.length, 7);
      assert.equal(new Set(rows.map((r) => r.instance_id)).size, 7, "no duplicate ids");
      assert.deepEqual(rows.slice(0, kept.length), kept, "completed rows are kept as they were");
      const remaining = (await docker.listContainers({ all: true }))
        .filter((c) => c.Labels["velora.pid"] === String(first.pid));
      assert.deepEqual(remaining, [], "no containers of the first run remain");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "velora infer takes run_infer.py flags and the seed's environment variables",
  ignore,
  async fn() {
    const { dir } = await setup();
    try {
      const result = await velora([
        "infer",
        "--agent-cls",
        "DummyAgent",
        "--dataset",
        "tasks.jsonl",
        "--eval-output-dir",
        "out",
        "--eval-note",
        "smoke",
        "--eval-n-limit",
        "2",
        "--max-iterations",
        "10",
      ], { cwd: dir, env: { ...ENV, SKIP_IDS: "demo__durations-v1" } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /skip_ids: 8 -> 7 instances/);
      assert.match(result.stderr, /eval_n_limit \(random:42\): 7 -> 2 instances/);
      const out = "out/tasks.jsonl-train/DummyAgent/none_maxiter_10_N_smoke/output.jsonl";
      const rows = (await Deno.readTextFile(join(dir, out))).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      assert.equal(rows.length, 2);
      assert.ok(rows.every((r) => r.instance_id !== "demo__durations-v1"));
      assert.deepEqual(
        rows[0].history.filter((e: { source: string; action?: string }) =>
          e.source === "agent" && e.action
        )
          .map((e: { action: string }) => e.action),
        ["run", "write", "read", "run", "finish"],
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "infer: a missing image gives an error row; retry_errors runs it again once loaded; n_runs",
  ignore,
  async fn() {
    await ensureDemoImage();
    const dir = await Deno.makeTempDir({ prefix: "velora-retry-" });
    const missing = `velora-test-missing-${crypto.randomUUID().slice(0, 8)}:1`;
    try {
      const rows = [
        { ...demoRow, instance_id: "present", image_storage_uri: `docker://${DEMO_IMAGE}` },
        { ...demoRow, instance_id: "absent", image_storage_uri: `docker://${missing}` },
      ];
      await Deno.writeTextFile(
        join(dir, "tasks.jsonl"),
        rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
      );
      await Deno.writeTextFile(
        join(dir, "p.toml"),
        `name = "retry"\noutput_dir = "run"\n[[phases]]\nkind = "infer"\ndataset = "tasks.jsonl"\n` +
          `agent_cls = "DummyAgent"\nmax_iterations = 10\nn_runs = 2\neval_note = "r"\n`,
      );
      const first = await velora(["run", "p.toml"], { cwd: dir });
      assert.equal(first.code, 0, first.stderr);
      const out = (n: number) =>
        join(
          dir,
          `run/outputs/tasks.jsonl-train/DummyAgent/none_maxiter_10_N_r-run_${n}/output.jsonl`,
        );
      const read = async (n: number) =>
        (await Deno.readTextFile(out(n))).trim().split("\n").map((l) => JSON.parse(l));
      for (const n of [1, 2]) {
        const byId = Object.fromEntries((await read(n)).map((r) => [r.instance_id, r]));
        assert.equal(byId.present.error, null);
        assert.match(
          byId.absent.error,
          /^ImageMissing: image "velora-test-missing-\w+:1" is not loaded/,
        );
        assert.deepEqual(byId.absent.test_result, {});
      }
      const presentBefore = (await read(1)).find((r) => r.instance_id === "present");

      await new Deno.Command("docker", { args: ["tag", DEMO_IMAGE, missing] }).output();
      const second = await velora(
        ["run", "p.toml", "--set", "infer.retry_errors=true", "--rerun", "infer"],
        { cwd: dir },
      );
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /1 rows with infrastructure errors will run again/);
      const after = await read(1);
      assert.equal(after.length, 2, "the error row was replaced, not duplicated");
      assert.deepEqual(after.find((r) => r.instance_id === "present"), presentBefore);
      assert.equal(after.find((r) => r.instance_id === "absent").error, null);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await docker.getImage(missing).remove().catch(() => {});
    }
  },
});
