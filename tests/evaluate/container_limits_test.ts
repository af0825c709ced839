/**
 * Evaluation containers get the default pid and memory limits, and an evaluate phase's
 * `pids_limit` and `memory_gb` raise them (seen from inside, in the test output).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_MEMORY_GB, DEFAULT_PIDS_LIMIT } from "../../src/docker/containers.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { velora } from "../support/velora.ts";

const ignore = await ignoreWithoutDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));

const PROBE = [
  `echo "pids.max=$(cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max)"`,
  `echo "memory.max=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"`,
].join("; ");

/** Evaluates the gold patch in an evaluate phase with `extra` keys; answers the test output. */
async function evaluateWith(extra: string): Promise<string> {
  await ensureDemoImage();
  const dir = await Deno.makeTempDir({ prefix: "velora-eval-limits-" });
  try {
    const row = {
      instance_id: "limits",
      test_result: { git_patch: demoRow.patch },
      instance: {
        ...demoRow,
        instance_id: "limits",
        test_command: `${PROBE}; ${demoRow.test_command}`,
      },
    };
    await Deno.writeTextFile(join(dir, "output.jsonl"), JSON.stringify(row) + "\n");
    await Deno.writeTextFile(
      join(dir, "p.toml"),
      `name = "eval-limits"
output_dir = "run"

[[phases]]
kind = "evaluate"
trajectory_file = "output.jsonl"
image = "${DEMO_IMAGE}"
${extra}
`,
    );
    const result = await velora(["run", "p.toml"], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout + result.stderr, /1\/1 resolved/);
    return await Deno.readTextFile(join(dir, "eval_outputs", "limits", "test_output.txt"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "evaluate: containers have default pid and memory limits; pids_limit and memory_gb raise them",
  ignore,
  async fn() {
    const byDefault = await evaluateWith("");
    assert.match(byDefault, new RegExp(`pids\\.max=${DEFAULT_PIDS_LIMIT}\\b`));
    assert.match(byDefault, new RegExp(`memory\\.max=${DEFAULT_MEMORY_GB * 1e9}\\b`));

    const raised = await evaluateWith("pids_limit = 8192\nmemory_gb = 16");
    assert.match(raised, /pids\.max=8192\b/);
    assert.match(raised, new RegExp(`memory\\.max=${16e9}\\b`));
  },
});
