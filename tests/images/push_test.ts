/**
 * Pushing loaded images to a registry: `velora images load --registry` and the `load-images`
 * phase's `registry` key against a real registry (`tests/support/registry.ts`), proved by the
 * registry's own HTTP API; the loader's push rules (one push per target and image id, a failed
 * push fails the archive) on the engine in memory.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { ImageLoader } from "../../src/images/loader.ts";
import type { ImageRecordData } from "../../src/images/record.ts";
import { instanceImage } from "../../src/images/record.ts";
import { summarize, summaryLine } from "../../src/images/summary.ts";
import type { RunState } from "../../src/pipeline/state.ts";
import { ignoreWithoutRegistry, startRegistry } from "../support/registry.ts";
import { velora } from "../support/velora.ts";
import { fakeArchive, fakeEngine } from "./_fake_engine.ts";
import { defaultAliases, makeFixture, removeImages, sh } from "./_fixtures.ts";

const ignore = await ignoreWithoutRegistry();

/** Engine tags under `host/` (what a push must not leave behind). */
async function engineTagsUnder(host: string): Promise<string[]> {
  const out = await sh(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]);
  return out.split("\n").filter((line) => line.startsWith(`${host}/`));
}

Deno.test({
  name: "images load --registry: each tag and alias is in the registry (tags/list, manifest of " +
    "the same image id), the engine keeps no registry tag; a second run pushes again harmlessly",
  ignore,
  async fn() {
    await using registry = await startRegistry();
    const dir = await Deno.makeTempDir({ prefix: "velora-push-" });
    const env = { VELORA_CACHE_DIR: join(dir, "cache") };
    const fixture = await makeFixture(dir);
    const alias = `mswebench/sweb.eval.x86_64.${fixture.id}:latest`;
    try {
      const first = await velora(
        ["images", "load", fixture.path, "--registry", registry.host],
        { env },
      );
      assert.equal(first.code, 0, first.stderr);
      assert.match(
        first.stdout.trim(),
        new RegExp(
          String.raw`^1 archive: 1 loaded \([\d.]+ KB\), 0 already loaded, 0 failed; ` +
            String.raw`2 images pushed to ${registry.host.replaceAll(".", "\\.")}$`,
        ),
      );
      assert.match(
        first.stderr,
        new RegExp(`pushing \\S+/${fixture.id}\\.tar to ${registry.host}`),
      );
      assert.match(first.stderr, new RegExp(`pushed \\S+/${fixture.id}\\.tar: ${registry.host}/`));

      assert.deepEqual(await registry.tags(`velora/${fixture.id}`), ["base"]);
      assert.deepEqual(await registry.tags(`mswebench/sweb.eval.x86_64.${fixture.id}`), [
        "latest",
      ]);
      const base = await registry.manifest(`velora/${fixture.id}`, "base");
      const latest = await registry.manifest(`mswebench/sweb.eval.x86_64.${fixture.id}`, "latest");
      assert.ok(base && latest);
      // The image config's digest is the image id: the registry holds the image that was loaded.
      assert.equal(base.body.config?.digest, fixture.imageId);
      assert.equal(latest.digest, base.digest);
      assert.ok((base.body.layers ?? []).length > 0);

      assert.deepEqual(await engineTagsUnder(registry.host), []);
      assert.equal(
        (await sh(["docker", "image", "inspect", "-f", "{{.Id}}", fixture.tag])).trim(),
        fixture.imageId,
      );

      const again = await velora(
        ["images", "load", fixture.path, "--registry", `${registry.host}/`],
        { env },
      );
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout.trim(),
        /^1 archive: 0 loaded \(0 B\), 1 already loaded, 0 failed; 2 images pushed to /,
      );
      assert.deepEqual(await registry.tags(`velora/${fixture.id}`), ["base"]);
      assert.equal((await registry.manifest(`velora/${fixture.id}`, "base"))?.digest, base.digest);
      assert.deepEqual(await engineTagsUnder(registry.host), []);
    } finally {
      await removeImages([fixture.tag, alias, fixture.imageId]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "images load --registry: a registry that does not answer fails the archive (exit 1, one " +
    "line naming the registry); the loaded image stays, with no registry tag",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "velora-push-down-" });
    // A registry that was started and stopped: its port answers nothing now.
    const registry = await startRegistry();
    await registry[Symbol.asyncDispose]();
    const fixture = await makeFixture(dir);
    const alias = `mswebench/sweb.eval.x86_64.${fixture.id}:latest`;
    try {
      const result = await velora(
        ["images", "load", fixture.path, "--registry", registry.host],
        { env: { VELORA_CACHE_DIR: join(dir, "cache") } },
      );
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `failed \\S+/${fixture.id}\\.tar: cannot push ${registry.host}/velora/${fixture.id}:base ` +
            `to ${registry.host}: .*(refused|connect)`,
        ),
      );
      assert.match(
        result.stdout,
        /1 archive: 0 loaded \(0 B\), 0 already loaded, 1 failed; 0 images pushed to /,
      );
      assert.match(result.stderr, /1 of 1 archives failed: .*cannot push/);
      assert.equal(
        (await sh(["docker", "image", "inspect", "-f", "{{.Id}}", fixture.tag])).trim(),
        fixture.imageId,
      );
      assert.deepEqual(await engineTagsUnder(registry.host), []);
    } finally {
      await removeImages([fixture.tag, alias, fixture.imageId]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("images load --registry: a bad registry is a usage error (exit 2, one line)", async () => {
  const result = await velora(["images", "load", "x.tar", "--registry", "http://127.0.0.1:5000"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr.trim(),
    /^velora: Cannot use --registry "http:\/\/127\.0\.0\.1:5000": no scheme \(http:\/\/\); expected /,
  );
  assert.equal(result.stderr.trim().split("\n").length, 1);
});

const PIPELINE = (registry: string, extra = "") =>
  `name = "push"
output_dir = "run"

[[phases]]
kind = "load-images"
source = "tars"
dataset = "tasks.jsonl"
registry = "${registry}"
${extra}
[[phases]]
kind = "cleanup-images"
`;

Deno.test({
  name: "pipeline: load-images with `registry` pushes tags and aliases once per run (two " +
    "archives of one image: pushed once), records them; cleanup-images leaves the registry alone",
  ignore,
  async fn() {
    await using registry = await startRegistry();
    const dir = await Deno.makeTempDir({ prefix: "velora-push-pipeline-" });
    const tars = join(dir, "tars");
    await Deno.mkdir(tars);
    const env = { VELORA_CACHE_DIR: join(dir, "cache") };
    const fixture = await makeFixture(tars);
    // The same image twice: a second archive (another source) whose push is a duplicate.
    await Deno.copyFile(fixture.path, join(tars, "copy.tar"));
    const aliases = defaultAliases(fixture.id);
    try {
      await Deno.writeTextFile(
        join(dir, "tasks.jsonl"),
        JSON.stringify({ instance_id: fixture.id, repo: "VeloraTest/fixture" }) + "\n",
      );
      await Deno.writeTextFile(join(dir, "p.toml"), PIPELINE(registry.host));
      const load = await velora(["run", "p.toml", "--only", "load-images"], { cwd: dir, env });
      assert.equal(load.code, 0, load.stderr);
      const state: RunState = JSON.parse(
        await Deno.readTextFile(join(dir, "run", "velora-state.json")),
      );
      const summary = state.phases[0]!.summary!;
      assert.equal(summary.failed, 0);
      assert.equal(summary.registry, registry.host);
      assert.equal(summary.pushed, 3, load.stderr); // velora/<id>:base and the two aliases
      for (const ref of [fixture.tag, ...aliases]) {
        const [name, tag] = ref.split(":") as [string, string];
        assert.deepEqual(await registry.tags(name), [tag], ref);
        assert.equal((await registry.manifest(name, tag))?.body.config?.digest, fixture.imageId);
      }
      const record: ImageRecordData = JSON.parse(
        await Deno.readTextFile(join(dir, "run", "velora-images.json")),
      );
      assert.equal(record.settings?.registry, registry.host);
      const pushed = Object.values(record.images).map((entry) => entry.pushed?.sort());
      const expected = [fixture.tag, ...aliases].map((ref) => `${registry.host}/${ref}`).sort();
      assert.deepEqual(pushed, [expected, expected]);
      assert.equal(instanceImage(record, fixture.id).status, "ready");
      assert.deepEqual(await engineTagsUnder(registry.host), []);

      const cleanup = await velora(["run", "p.toml"], { cwd: dir, env });
      assert.equal(cleanup.code, 0, cleanup.stderr);
      assert.equal(await hasTag(fixture.tag), false);
      assert.deepEqual(await registry.tags(`velora/${fixture.id}`), ["base"]);
    } finally {
      await removeImages([fixture.tag, ...aliases, fixture.imageId]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function hasTag(ref: string): Promise<boolean> {
  return await sh(["docker", "image", "inspect", ref]).then(() => true, () => false);
}

Deno.test(
  "loader: one push per target and image id; a failed push fails its archive, which " +
    "keeps what its load created for cleanup",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "velora-push-fake-" });
    try {
      const fake = fakeEngine({
        pushError: (target) => target.includes("/velora/bad") ? "connection refused" : undefined,
      });
      const good = fakeArchive("velora/good:base", 1024);
      const bad = fakeArchive("velora/bad:base", 1024);
      await Deno.writeFile(join(dir, "good.tar"), good.bytes);
      await Deno.writeFile(join(dir, "again.tar"), good.bytes);
      await Deno.writeFile(join(dir, "bad.tar"), bad.bytes);
      const lines: string[] = [];
      const loader = new ImageLoader({
        engine: fake.engine,
        sources: { baseDir: dir, s3: {} },
        aliases: ["mswebench/{id}:latest"],
        sourceTag: "velora/{instance_id}:base",
        registry: "reg.example:5000/ci",
        log: (line) => lines.push(line),
      });
      const outcomes = await loader.loadAll(
        ["good.tar", "again.tar", "bad.tar"].map((source) => ({ source, instances: [] })),
        1,
      );
      assert.deepEqual(
        outcomes.map((o) => [basename(o.source), o.status, o.pushed]),
        [["good.tar", "loaded", 2], ["again.tar", "present", 0], ["bad.tar", "failed", 0]],
      );
      assert.deepEqual(fake.events.filter((e) => e.startsWith("push ")), [
        "push reg.example:5000/ci/velora/good:base",
        "push reg.example:5000/ci/mswebench/good:latest",
        "push reg.example:5000/ci/velora/bad:base",
      ]);
      assert.deepEqual(
        [...fake.pushed()].sort(),
        [
          ["reg.example:5000/ci/mswebench/good:latest", good.id],
          ["reg.example:5000/ci/velora/good:base", good.id],
        ],
      );
      const failed = outcomes[2]!;
      const reason = `${join(dir, "bad.tar")}: connection refused`;
      assert.equal(failed.error, reason);
      assert.ok(lines.includes(`failed ${reason}`), lines.join("\n"));
      const entry = loader.record.get(failed.key)!;
      assert.equal(entry.status, "failed");
      assert.equal(entry.image_id, bad.id);
      assert.deepEqual(entry.created_images, [bad.id]);
      assert.deepEqual(entry.created_tags, ["velora/bad:base", "mswebench/bad:latest"]);
      assert.deepEqual(instanceImage(loader.record.data, "bad"), {
        status: "missing",
        reason,
      });
      const summary = summarize(outcomes, "reg.example:5000/ci");
      assert.equal(
        summaryLine(summary),
        "3 archives: 1 loaded (4.6 KB), 1 already loaded, 1 failed; 2 images pushed to " +
          "reg.example:5000/ci",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
