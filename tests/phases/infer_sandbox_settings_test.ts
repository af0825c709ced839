/**
 * The infer phase's sandbox settings, seen from inside the sandbox through the trajectory: by
 * default the model cannot reach a page on the host's 127.0.0.1 and the sandbox has pid and
 * memory limits; `network = "host"`, `pids_limit` and `memory_gb` in the pipeline change that.
 * The agent still fixes the demo task.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_MEMORY_GB, DEFAULT_PIDS_LIMIT } from "../../src/docker/containers.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { readOrEmpty, velora } from "../support/velora.ts";
import { writeScriptedInfer } from "../support/scripted_infer.ts";

const ignore = await ignoreWithoutDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
const OUT = "run/outputs/tasks.jsonl-train/CodeActAgent/scripted_script.json_maxiter_20";

/** The scripted model: probe the sandbox, then the demo's own fix and finish. */
async function script(port: number): Promise<unknown[]> {
  const demo = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/scripted_model.json`));
  const probe = [
    `echo "pids.max=$(cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max)"`,
    `echo "memory.max=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"`,
    `python3 -c 'import urllib.request; print("host page:", urllib.request.urlopen("http://127.0.0.1:${port}/", timeout=5).read().decode().strip())' 2>&1 | tail -1`,
  ].join("; ");
  return [{ tool_calls: [{ name: "execute_bash", arguments: { command: probe } }] }, ...demo];
}

/** Runs a one-instance infer pipeline with `extra` keys; answers what the probe printed. */
async function inferWith(extra: string, port: number): Promise<{ probe: string; patch: string }> {
  await ensureDemoImage();
  const dir = await Deno.makeTempDir({ prefix: "velora-infer-settings-" });
  try {
    await writeScriptedInfer(dir, {
      name: "infer-settings",
      rows: [demoRow],
      script: await script(port),
      extra,
    });
    const result = await velora(["run", "p.toml"], {
      cwd: dir,
      env: { RUNTIME_CONTAINER_IMAGE: DEMO_IMAGE },
    });
    assert.equal(result.code, 0, result.stderr);
    const rows = (await readOrEmpty(join(dir, OUT, "output.jsonl"))).split("\n").filter(Boolean)
      .map((line) => JSON.parse(line));
    assert.equal(rows.length, 1);
    const row = rows[0];
    assert.equal(row.error, null);
    const observation = row.history.find((event: Record<string, unknown>) =>
      event.observation === "run"
    );
    return { probe: String(observation?.content ?? ""), patch: row.test_result.git_patch };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "infer: by default the model cannot fetch the host's 127.0.0.1; limits are set; " +
    "network host, pids_limit and memory_gb change that",
  ignore,
  async fn() {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response("secret page on the host\n"),
    );
    try {
      const port = server.addr.port;
      const fixed = /^\+ {8}total \+= int\(match\.group\(1\)\) \* _UNITS/m;

      const byDefault = await inferWith("", port);
      assert.doesNotMatch(byDefault.probe, /secret page/);
      assert.match(byDefault.probe, /host page|Error|refused/i);
      assert.match(byDefault.probe, new RegExp(`pids\\.max=${DEFAULT_PIDS_LIMIT}\\b`));
      assert.match(byDefault.probe, new RegExp(`memory\\.max=${DEFAULT_MEMORY_GB * 1e9}\\b`));
      assert.match(byDefault.patch, fixed, "the agent still fixes the task");

      const raised = await inferWith(
        'network = "host"\npids_limit = 8192\nmemory_gb = 16',
        port,
      );
      assert.match(raised.probe, /host page: secret page on the host/);
      assert.match(raised.probe, /pids\.max=8192\b/);
      assert.match(raised.probe, new RegExp(`memory\\.max=${16e9}\\b`));
      assert.match(raised.patch, fixed);
    } finally {
      await server.shutdown();
    }
  },
});
