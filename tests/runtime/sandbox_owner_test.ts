import assert from "node:assert/strict";
import { join } from "node:path";
import { execIn, removeContainerById } from "../../src/docker/containers.ts";
import { LABEL_HOST, LABEL_PID, LABEL_RUN, labelFilter } from "../../src/docker/labels.ts";
import { UsageError } from "../../src/errors.ts";
import { exitCodeOf } from "../../src/runtime/protocol.ts";
import {
  DEFAULT_OWNER_TIMEOUT_SECONDS,
  heartbeatIntervalMs,
  ownerTimeoutSeconds,
  Sandbox,
  SandboxStartError,
} from "../../src/runtime/sandbox.ts";
import { BASE_IMAGE, ignoreWithoutDocker, testDocker, uniqueRunLabel } from "../support/docker.ts";
import { waitFor } from "../support/velora.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();
const ROOT = new URL("../../", import.meta.url).pathname;

/** Ids of the containers, running or not, that match every `key=value` label filter. */
async function containersWith(...filters: string[]): Promise<string[]> {
  const found = await docker.listContainers({ all: true, filters: { label: filters } });
  return found.map((c) => c.Id);
}

Deno.test("ownerTimeoutSeconds() reads VELORA_SANDBOX_OWNER_TIMEOUT; heartbeats come thrice per timeout", () => {
  assert.equal(ownerTimeoutSeconds(undefined), DEFAULT_OWNER_TIMEOUT_SECONDS);
  assert.equal(ownerTimeoutSeconds(""), DEFAULT_OWNER_TIMEOUT_SECONDS);
  assert.equal(ownerTimeoutSeconds("4"), 4);
  assert.equal(ownerTimeoutSeconds("0"), 0);
  assert.throws(() => ownerTimeoutSeconds("soon"), UsageError);
  assert.throws(() => ownerTimeoutSeconds("-3"), /VELORA_SANDBOX_OWNER_TIMEOUT="-3"/);
  assert.equal(heartbeatIntervalMs(3), 1_000);
  assert.equal(heartbeatIntervalMs(30), 5_000, "at most every 5 s");
});

Deno.test({
  name: "Sandbox with an active owner outlives its owner timeout, through a long blocking command",
  ignore,
  async fn() {
    const run = uniqueRunLabel("owner");
    const sandbox = await Sandbox.start(docker, { image: BASE_IMAGE, run, ownerTimeoutSeconds: 2 });
    try {
      const info = await sandbox.container.inspect();
      assert.equal(info.HostConfig.AutoRemove, true);
      assert.deepEqual(info.Config.Cmd.slice(-2), ["--owner-timeout", "2"]);
      // One request that lasts 2.5 owner timeouts: only the heartbeats keep the server alive.
      const slow = await sandbox.run("sleep 5; echo slept", { timeout: 60 });
      assert.equal(exitCodeOf(slow), 0);
      assert.match(slow.content, /slept/);
      // Then no action at all for twice the timeout.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const after = await sandbox.run("echo still-here");
      assert.equal(after.content.trim(), "still-here");
    } finally {
      await sandbox.close();
    }
    assert.deepEqual(await containersWith(labelFilter(LABEL_RUN, run)), []);
  },
});

Deno.test({
  name: "Sandbox (auto-removed) that is not ready in time fails with its log and leaves nothing",
  ignore,
  async fn() {
    const run = uniqueRunLabel("owner");
    const error = await Sandbox.start(docker, { image: BASE_IMAGE, run, readyTimeoutMs: 1 })
      .then((sandbox) => sandbox.close(), (e) => e);
    assert.ok(error instanceof SandboxStartError, String(error));
    assert.match(error.message, /was not ready after 0\.001s\. Last log lines:\n/);
    assert.deepEqual(await containersWith(labelFilter(LABEL_RUN, run)), []);
  },
});

Deno.test({
  name: "velora killed with SIGKILL mid-command: its sandbox removes itself, with no rerun",
  ignore,
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        "--config",
        join(ROOT, "deno.json"),
        join(ROOT, "main.ts"),
        "sandbox",
        BASE_IMAGE,
        "--timeout",
        "900",
      ],
      env: { NO_COLOR: "1", VELORA_SANDBOX_OWNER_TIMEOUT: "3" },
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const reading = (async () => {
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) stderr += text;
    })();
    const mine = [
      labelFilter(LABEL_PID, String(child.pid)),
      labelFilter(LABEL_HOST, Deno.hostname()),
    ];
    const stdin = child.stdin.getWriter();
    try {
      await waitFor("the sandbox", () => /Sandbox ready/.test(stderr), 60_000);
      const [id] = await containersWith(...mine);
      assert.ok(id, "velora's sandbox carries its pid");
      // A blocking command with a 900 s timeout is in flight when velora dies.
      await stdin.write(new TextEncoder().encode("sleep 600\n"));
      await waitFor("sleep 600 to run", async () => {
        const ps = await execIn(docker.getContainer(id), [
          "bash",
          "-c",
          "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -q 'sleep 600'",
        ]);
        return ps.exitCode === 0;
      }, 30_000);

      Deno.kill(child.pid, "SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL");
      const killed = performance.now();
      await waitFor("the sandbox to remove itself", async () => {
        return (await containersWith(...mine)).length === 0;
      }, 60_000);
      const seconds = (performance.now() - killed) / 1000;
      console.log(`sandbox gone ${seconds.toFixed(1)}s after kill -9 (owner timeout 3s)`);
      assert.ok(seconds < 15, `took ${seconds}s`);
    } finally {
      try {
        Deno.kill(child.pid, "SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await stdin.close().catch(() => {});
      await reading;
      for (const id of await containersWith(...mine)) await removeContainerById(docker, id);
    }
  },
});
