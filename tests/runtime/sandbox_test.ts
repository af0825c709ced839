import assert from "node:assert/strict";
import { join } from "node:path";
import { reap } from "../../src/docker/containers.ts";
import { LABEL_RUN, labelFilter } from "../../src/docker/labels.ts";
import { RuntimeHttpError } from "../../src/runtime/client.ts";
import { currentRunner } from "../../src/runtime/inject.ts";
import { exitCodeOf } from "../../src/runtime/protocol.ts";
import { Sandbox, SandboxStartError } from "../../src/runtime/sandbox.ts";
import { BASE_IMAGE, ignoreWithoutDocker, testDocker, uniqueRunLabel } from "../support/docker.ts";
import { sh } from "../support/sh.ts";
import { evalUntilReady } from "../support/eval_child.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();

async function containersOf(run: string): Promise<string[]> {
  const found = await docker.listContainers({
    all: true,
    filters: { label: [labelFilter(LABEL_RUN, run)] },
  });
  return found.map((c) => c.Id);
}

Deno.test({
  name: "Sandbox runs commands in a persistent bash session of an unchanged image",
  ignore,
  async fn() {
    const run = uniqueRunLabel("sandbox");
    const sandbox = await Sandbox.start(docker, { image: BASE_IMAGE, run, instance: "demo-1" });
    try {
      const hi = await sandbox.run("echo hi");
      assert.equal(hi.content.trim(), "hi");
      assert.equal(exitCodeOf(hi), 0);
      await sandbox.run("cd /tmp && export VELORA_X=42");
      const pwd = await sandbox.run('pwd; echo "$VELORA_X"');
      assert.equal(pwd.content.trim(), "/tmp\n42");
      const failed = await sandbox.run("false");
      assert.equal(exitCodeOf(failed), 1);
      const info = await sandbox.container.inspect();
      assert.equal(info.Config.Labels["velora.instance"], "demo-1");
      assert.equal(info.HostConfig.NetworkMode, "bridge");
      assert.equal(info.HostConfig.Init, true);
    } finally {
      await sandbox.close();
    }
    assert.deepEqual(await containersOf(run), []);
  },
});

Deno.test({
  name: "Sandbox protects every path but /alive with the session key",
  ignore,
  async fn() {
    const run = uniqueRunLabel("sandbox");
    await using sandbox = await Sandbox.start(docker, { image: BASE_IMAGE, run });
    const base = sandbox.url;
    assert.equal((await fetch(`${base}/alive`).then(drain)).status, 200);
    for (const [method, path] of [["GET", "/server_info"], ["POST", "/list_files"]] as const) {
      const response = await fetch(`${base}${path}`, {
        method,
        body: method === "POST" ? "{}" : null,
      });
      assert.equal(response.status, 403, path);
      assert.deepEqual(await response.json(), { detail: "Invalid API Key" });
    }
    const denied = await fetch(`${base}/execute_action`, {
      method: "POST",
      body: JSON.stringify({ action: { action: "run", args: { command: "id" } } }),
    });
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), { detail: "Invalid API Key" });
    assert.equal(typeof (await sandbox.client.serverInfo()).uptime, "number");
    assert.deepEqual(await sandbox.client.listFiles("/velora"), [
      "bin/",
      "cache/",
      "runtime-server/",
    ]);
    const write = await sandbox.run("touch /velora/cache/x /velora/runtime-server/x 2>&1; echo $?");
    assert.match(
      write.content,
      /Read-only file system[\s\S]*\n1$/,
      "velora's mounts are read-only",
    );
    await sandbox.client.updateMcpServer([{ name: "fetch", command: "uvx", args: [], env: {} }]);
  },
});

Deno.test({
  name: "Sandbox upload and download round-trip a file",
  ignore,
  async fn() {
    const run = uniqueRunLabel("sandbox");
    await using sandbox = await Sandbox.start(docker, { image: BASE_IMAGE, run });
    await sandbox.client.uploadFile("/workspace/in", new Blob(["payload 1\n"]), "data.txt");
    const cat = await sandbox.run("cat /workspace/in/data.txt");
    assert.equal(cat.content.trim(), "payload 1");
    const zip = await sandbox.client.downloadFiles("/workspace/in");
    assert.equal(new TextDecoder().decode(zip.subarray(0, 2)), "PK");
    assert.ok(new TextDecoder().decode(zip).includes("data.txt"));
  },
});

Deno.test({
  name: "Sandbox works with an image whose entrypoint is something else",
  ignore,
  async fn() {
    const tag = `velora-test-entrypoint:${crypto.randomUUID().slice(0, 8)}`;
    await sh(
      ["docker", "build", "-q", "--label", "velora.test=1", "-t", tag, "-"],
      `FROM ${BASE_IMAGE}\nENTRYPOINT ["python3"]\nCMD ["-c", "print(1)"]\n`,
    );
    try {
      const run = uniqueRunLabel("sandbox");
      await using sandbox = await Sandbox.start(docker, { image: tag, run });
      const echo = await sandbox.run("echo entrypoint-ignored");
      assert.equal(echo.content.trim(), "entrypoint-ignored");
    } finally {
      await docker.getImage(tag).remove({ force: true });
    }
  },
});

Deno.test({
  name: "Sandbox fails fast with the container's log when the server exits at start",
  ignore,
  async fn() {
    const run = uniqueRunLabel("sandbox");
    const serverDir = await Deno.makeTempDir({ prefix: "velora-bad-server-" });
    await Deno.writeTextFile(
      join(serverDir, "main.ts"),
      'console.error("boom: cannot start"); Deno.exit(3);\n',
    );
    try {
      const started = performance.now();
      const error = await Sandbox.start(docker, {
        image: BASE_IMAGE,
        run,
        runner: { ...currentRunner(), serverDir },
      }).then(() => undefined, (e) => e);
      const seconds = (performance.now() - started) / 1000;
      assert.ok(error instanceof SandboxStartError, String(error));
      assert.match(error.message, /exited with code 3 before its server was ready/);
      assert.match(error.message, /boom: cannot start/);
      assert.ok(seconds < 5, `took ${seconds}s`);
      assert.deepEqual(await containersOf(run), []);
    } finally {
      await Deno.remove(serverDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "reap() removes the sandbox a killed orchestrator left behind",
  ignore,
  async fn() {
    const run = uniqueRunLabel("orphan");
    const script = `
      import { connect } from "${new URL("../../src/docker/client.ts", import.meta.url)}";
      import { Sandbox } from "${new URL("../../src/runtime/sandbox.ts", import.meta.url)}";
      const sandbox = await Sandbox.start(connect(), { image: "${BASE_IMAGE}", run: "${run}" });
      await sandbox.run("echo started");
      console.log("ready");
      await new Promise(() => {});
    `;
    const child = await evalUntilReady(script);
    const out = child.out;
    await child.kill();
    try {
      assert.equal(out.trim(), "ready");
      assert.equal((await containersOf(run)).length, 1, "the killed process left its sandbox");
      assert.equal((await reap(docker, run)).length, 1);
      assert.deepEqual(await containersOf(run), []);
    } finally {
      await reap(docker, run);
    }
  },
});

Deno.test({
  name: "RuntimeClient reports an unreachable server as a RuntimeHttpError",
  async fn() {
    const { RuntimeClient } = await import("../../src/runtime/client.ts");
    const client = new RuntimeClient("http://127.0.0.1:9");
    assert.equal(await client.alive(), false);
    await assert.rejects(client.listFiles(), RuntimeHttpError);
  },
});

async function drain(response: Response): Promise<Response> {
  await response.body?.cancel();
  return response;
}
