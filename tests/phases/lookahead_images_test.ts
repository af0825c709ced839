import assert from "node:assert/strict";
import { join } from "node:path";
import { imageExists } from "../../src/docker/images.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { sh } from "../support/sh.ts";
import { serveFiles } from "../fakes/http_files.ts";
import { listTree, spawnVelora, velora, waitFor } from "../support/velora.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();

/** Builds `velora/<id>:base` (one layer over the demo image), saves it to `<dir>/<id>.tar`, removes it. */
async function buildArchive(dir: string, id: string): Promise<string> {
  const tag = `velora/${id}:base`;
  await sh(
    ["docker", "build", "-q", "--network", "host", "-t", tag, "-"],
    `FROM ${DEMO_IMAGE}\nRUN echo ${id} > /velora-lookahead-id\n`,
  );
  await sh(["docker", "save", "-o", join(dir, `${id}.tar`), tag]);
  await sh(["docker", "rmi", tag]);
  return tag;
}

Deno.test({
  name: "load = per-instance with look-ahead: the next image loads while an instance runs; " +
    "a broken archive gives its row the error; nothing of the run is left",
  ignore,
  async fn() {
    await ensureDemoImage();
    const run = crypto.randomUUID().slice(0, 8);
    const dir = await Deno.makeTempDir({ prefix: "velora-lookahead-e2e-" });
    const ids = { a: `la-a-${run}`, p: `la-p-${run}`, gone: `la-gone-${run}`, b: `la-b-${run}` };
    const tags = [ids.a, ids.b].map((id) => `velora/${id}:base`);
    const alias = (id: string) => `mswebench/sweb.eval.x86_64.${id}:latest`;
    try {
      // Two images of their own (one layer over the demo image), saved and removed; and the
      // demo image itself, there before the run.
      for (const id of [ids.a, ids.b]) await buildArchive(dir, id);
      await sh(["docker", "save", "-o", join(dir, "present.tar"), DEMO_IMAGE]);
      const demoId = (await docker.getImage(DEMO_IMAGE).inspect()).Id;
      const row = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
      const rows = [
        { ...row, instance_id: ids.a, image_storage_uri: `${ids.a}.tar` },
        { ...row, instance_id: ids.p, image_storage_uri: "present.tar" },
        { ...row, instance_id: ids.gone, image_storage_uri: "gone.tar" },
        { ...row, instance_id: ids.b, image_storage_uri: `${ids.b}.tar` },
      ];
      await Deno.writeTextFile(
        join(dir, "tasks.jsonl"),
        rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
      );
      await Deno.writeTextFile(
        join(dir, "p.toml"),
        `name = "lookahead"
output_dir = "run"

[[phases]]
kind = "load-images"
dataset = "tasks.jsonl"
load = "per-instance"
lookahead = 2
lookahead_disk_gb = 0

[[phases]]
kind = "infer"
dataset = "tasks.jsonl"
agent_cls = "DummyAgent"
max_iterations = 10
num_workers = 1
`,
      );
      // Not an archive: load-images (which only checks it is there) passes it, its load fails.
      await Deno.writeTextFile(join(dir, "gone.tar"), "not a tar\n".repeat(100));
      const result = await velora(["run", "p.toml"], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stderr.split("\n");
      const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
      const aheadB = at(new RegExp(`look-ahead: loading .*${ids.b}\\.tar for ${ids.b}$`));
      const aDone = at(new RegExp(`\\] ${ids.a}: ok`));
      assert.ok(aheadB >= 0 && aDone >= 0, result.stderr);
      assert.ok(aheadB < aDone, `b's image loads while a runs:\n${result.stderr}`);

      const out = (await Deno.readTextFile(
        join(dir, "run/outputs/tasks.jsonl-train/DummyAgent/none_maxiter_10/output.jsonl"),
      )).trim().split("\n").map((line) => JSON.parse(line));
      const byId = Object.fromEntries(out.map((r) => [r.instance_id, r]));
      assert.equal(byId[ids.a].error, null);
      assert.equal(byId[ids.p].error, null);
      assert.equal(byId[ids.b].error, null);
      assert.match(byId[ids.gone].error, /^ImageMissing: .*gone\.tar: /);

      for (const tag of [...tags, ...Object.values(ids).map(alias)]) {
        assert.equal(await imageExists(docker, tag), false, `${tag} was removed`);
      }
      assert.equal((await docker.getImage(DEMO_IMAGE).inspect()).Id, demoId, "untouched");
      const files = await listTree(join(dir, "run"));
      assert.deepEqual(files.filter((f) => /\.tmp|partial/.test(f)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
      for (const tag of tags) await docker.getImage(tag).remove().catch(() => {});
    }
  },
});

Deno.test({
  name: "load = per-instance with look-ahead: a second ^C cuts the loads under way: " +
    "no half-loaded image, no partial file",
  ignore,
  async fn() {
    await ensureDemoImage();
    const run = crypto.randomUUID().slice(0, 8);
    const dir = await Deno.makeTempDir({ prefix: "velora-lookahead-int-" });
    const ids = [`la-a-${run}`, `la-b-${run}`];
    const tags: string[] = [];
    const server = serveFiles(dir);
    try {
      for (const id of ids) tags.push(await buildArchive(dir, id));
      const row = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
      await Deno.writeTextFile(
        join(dir, "tasks.jsonl"),
        ids.map((id) =>
          JSON.stringify({ ...row, instance_id: id, image_storage_uri: `${server.url}/${id}.tar` })
        ).join("\n") + "\n",
      );
      await Deno.writeTextFile(
        join(dir, "p.toml"),
        `name = "lookahead"
output_dir = "run"

[[phases]]
kind = "load-images"
dataset = "tasks.jsonl"
load = "per-instance"
keep_tars = true
lookahead_disk_gb = 0

[[phases]]
kind = "infer"
dataset = "tasks.jsonl"
agent_cls = "DummyAgent"
max_iterations = 10
num_workers = 1
`,
      );
      // b's archive stops after 1 MB, so its look-ahead load is under way at the ^C.
      const hold = server.hold(`${ids[1]}.tar`, 1 << 20);
      const child = spawnVelora(["run", "p.toml"], { cwd: dir });
      await waitFor("b's look-ahead load to be under way", () => hold.reached(), 120_000);
      const partial = join(dir, "run", "tars", `${ids[1]}.tar.partial`);
      assert.ok((await Deno.stat(partial)).isFile, "a partial copy is being written");
      child.kill("SIGINT");
      await waitFor("the stop message", () => child.stderr().includes("Stopping"));
      child.kill("SIGINT");
      const result = await child.done;
      hold.release();
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stderr, /Stopping now/);
      const files = await listTree(join(dir, "run"));
      assert.deepEqual(files.filter((f) => /partial/.test(f)), [], files.join("\n"));
      assert.equal(await imageExists(docker, tags[1]!), false, "b was not loaded");
      assert.equal(await imageExists(docker, `mswebench/sweb.eval.x86_64.${ids[1]}:latest`), false);
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
      for (const id of ids) {
        for (const ref of [`velora/${id}:base`, `mswebench/sweb.eval.x86_64.${id}:latest`]) {
          await docker.getImage(ref).remove().catch(() => {});
        }
      }
    }
  },
});
