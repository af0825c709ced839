/**
 * One ^C handler for every command (README "Runs, checkpoints and resume"): the first SIGINT or
 * SIGTERM lets running work finish, starts nothing new and exits 130; the second stops at once,
 * cleans up (child processes, this process's containers) and exits 130.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { reapOwned } from "../../src/docker/containers.ts";
import { LABEL_PID, labelFilter } from "../../src/docker/labels.ts";
import { serveFiles } from "../fakes/http_files.ts";
import { makeFixture, removeImages } from "../images/_fixtures.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { readOrEmpty, type RunningVelora, spawnVelora, waitFor } from "../support/velora.ts";

const ignore = await ignoreWithoutDocker();

const PIPELINE = `name = "signals"
output_dir = "run"

[[phases]]
name = "one"
kind = "shell"
command = 'echo $$ > one.pid; until [ -f release ]; do sleep 0.05; done; echo one-end >> trace'

[[phases]]
name = "two"
kind = "shell"
command = 'echo two >> trace'
`;

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

async function withDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Containers (running or not) that the velora process `pid` made. */
async function containersOf(pid: number): Promise<number> {
  const found = await testDocker().listContainers({
    all: true,
    filters: { label: [labelFilter(LABEL_PID, String(pid))] },
  });
  return found.length;
}

async function stopOnce(child: RunningVelora, signal: Deno.Signal): Promise<void> {
  child.kill(signal);
  await waitFor("the stop message", () => child.stderr().includes("Stopping"));
}

Deno.test("run: a first SIGTERM lets the running phase finish, starts nothing new, exits 130", async () => {
  await withDir("velora-sigterm-", async (dir) => {
    await Deno.writeTextFile(join(dir, "p.toml"), PIPELINE);
    const child = spawnVelora(["run", "p.toml"], { cwd: dir });
    await waitFor(
      "phase one to start",
      async () => (await readOrEmpty(join(dir, "one.pid"))) !== "",
    );
    await stopOnce(child, "SIGTERM");
    await Deno.writeTextFile(join(dir, "release"), "");
    const result = await child.done;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /Interrupted before two: run the same command again to resume/);
    assert.equal(await readOrEmpty(join(dir, "trace")), "one-end\n");
  });
});

Deno.test("run: a second SIGTERM kills the running command and exits 130 at once", async () => {
  await withDir("velora-sigterm2-", async (dir) => {
    await Deno.writeTextFile(join(dir, "p.toml"), PIPELINE);
    const child = spawnVelora(["run", "p.toml"], { cwd: dir });
    await waitFor(
      "phase one to start",
      async () => (await readOrEmpty(join(dir, "one.pid"))) !== "",
    );
    const shell = Number(await Deno.readTextFile(join(dir, "one.pid")));
    await stopOnce(child, "SIGTERM");
    child.kill("SIGTERM");
    const result = await child.done;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /Stopping now/);
    await waitFor("the phase's shell to be killed", () => !isAlive(shell), 5_000);
    assert.equal(await readOrEmpty(join(dir, "trace")), "");
  });
});

/** Two demo rows whose tests take a few seconds, as an output.jsonl to evaluate. */
async function slowTrajectories(dir: string): Promise<string> {
  await ensureDemoImage();
  const demo = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
  const file = join(dir, "output.jsonl");
  const rows = ["slow-a", "slow-b"].map((id) =>
    JSON.stringify({
      instance_id: id,
      test_result: { git_patch: demo.patch },
      instance: {
        ...demo,
        instance_id: id,
        image_storage_uri: `docker://${DEMO_IMAGE}`,
        test_command: `sleep 3; ${demo.test_command}`,
      },
    })
  );
  await Deno.writeTextFile(file, rows.join("\n") + "\n");
  return file;
}

Deno.test({
  name: "evaluate: one ^C finishes the running instance and starts no other (exit 130)",
  ignore,
  async fn() {
    await withDir("velora-eval-int-", async (dir) => {
      const file = await slowTrajectories(dir);
      const child = spawnVelora(["evaluate", "--trajectory-file", file], { cwd: dir });
      try {
        await waitFor(
          "the first container",
          async () => (await containersOf(child.pid)) > 0,
          60_000,
        );
        await stopOnce(child, "SIGINT");
        const result = await child.done;
        assert.equal(result.code, 130, result.stderr);
        const reports = join(dir, "eval_outputs");
        assert.notEqual(await readOrEmpty(join(reports, "slow-a", "report.json")), "");
        assert.equal(await readOrEmpty(join(reports, "slow-b", "report.json")), "");
        assert.equal(await containersOf(child.pid), 0);
      } finally {
        await reapOwned(testDocker(), { pid: child.pid, host: Deno.hostname() });
      }
    });
  },
});

Deno.test({
  name: "evaluate: a second ^C removes the running container and exits 130 at once",
  ignore,
  async fn() {
    await withDir("velora-eval-int2-", async (dir) => {
      const file = await slowTrajectories(dir);
      const child = spawnVelora(["evaluate", "--trajectory-file", file], { cwd: dir });
      try {
        await waitFor(
          "the first container",
          async () => (await containersOf(child.pid)) > 0,
          60_000,
        );
        await stopOnce(child, "SIGINT");
        child.kill("SIGINT");
        const result = await child.done;
        assert.equal(result.code, 130, result.stderr);
        assert.match(result.stderr, /Stopping now/);
        assert.equal(await containersOf(child.pid), 0, "its containers are removed");
        assert.equal(await readOrEmpty(join(dir, "eval_outputs", "slow-a", "report.json")), "");
      } finally {
        await reapOwned(testDocker(), { pid: child.pid, host: Deno.hostname() });
      }
    });
  },
});

Deno.test({
  name: "images load: one ^C finishes the running load and starts no other; two stop at once",
  ignore,
  async fn() {
    await withDir("velora-images-int-", async (dir) => {
      const server = serveFiles(dir);
      const made = [await makeFixture(dir), await makeFixture(dir)];
      const [first, second] = made.map((f) => `${server.url}/${f.path.split("/").pop()}`);
      const env = { VELORA_CACHE_DIR: join(dir, "cache") };
      const args = ["images", "load", "--no-tags", "--parallel", "1", first!, second!];
      try {
        const hold = server.hold(made[0]!.path.split("/").pop()!, 512);
        const once = spawnVelora(args, { cwd: dir, env });
        await waitFor("the first load to be under way", () => hold.reached(), 60_000);
        await stopOnce(once, "SIGINT");
        hold.release();
        const stopped = await once.done;
        assert.equal(stopped.code, 130, stopped.stderr);
        assert.match(stopped.stdout, /^1 archive: 1 loaded/m);
        assert.match(stopped.stderr, /Interrupted with 1 archives not loaded yet/);

        await removeImages(made.map((f) => f.tag));
        const again = server.hold(made[0]!.path.split("/").pop()!, 512);
        const twice = spawnVelora(args, { cwd: dir, env });
        await waitFor("the first load to be under way", () => again.reached(), 60_000);
        await stopOnce(twice, "SIGINT");
        twice.kill("SIGINT");
        const killed = await twice.done;
        assert.equal(killed.code, 130, killed.stderr);
        assert.match(killed.stderr, /Stopping now/);
        assert.equal(killed.stdout, "");
      } finally {
        await server.close();
        await removeImages(made.map((f) => f.tag));
      }
    });
  },
});
