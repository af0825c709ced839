/**
 * Per-instance mode with look-ahead (`src/images/lookahead.ts`, through `jitImages`): an engine in
 * memory (`_fake_engine.ts`) and archives on disk or on the fake HTTP server; the workers are a
 * small pool like infer's (instances taken in order).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { toInstance } from "../../src/dataset/formats/mod.ts";
import type { Instance } from "../../src/dataset/instance.ts";
import type { Docker } from "../../src/docker/client.ts";
import { SourceCache } from "../../src/images/cache.ts";
import { type JitImages, jitImages } from "../../src/images/jit.ts";
import { ImageRecord } from "../../src/images/record.ts";
import { serveFiles } from "../fakes/http_files.ts";
import { REPO_ROOT } from "../support/demo_image.ts";
import { listTree } from "../support/velora.ts";
import { fakeArchive, type FakeEngine, fakeEngine } from "./_fake_engine.ts";

const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));

interface Setup {
  dir: string;
  runDir: string;
  fake: FakeEngine;
  instances: Instance[];
  tags: string[];
  ids: string[];
  jit: JitImages;
  lines: string[];
  stop: AbortController;
  cleanup(): Promise<void>;
}

interface SetupOptions {
  count: number;
  lookahead: number;
  parallel?: number;
  diskGb?: number;
  diskFree?: () => number | undefined;
  loadMs?: number;
  /** Archives not written (their load fails). */
  missing?: number[];
  /** Serve the archives over HTTP and keep copies in `<dir>/tars`. */
  http?: boolean;
  /** Hold this archive's HTTP transfer after 64 KiB. */
  hold?: number;
}

async function setup(options: SetupOptions): Promise<Setup & { release?: () => void }> {
  const dir = await Deno.makeTempDir({ prefix: "velora-lookahead-" });
  const runDir = join(dir, "run");
  await Deno.mkdir(runDir);
  const archives = join(dir, "archives");
  await Deno.mkdir(archives);
  const server = options.http ? serveFiles(archives) : undefined;
  const hold = options.hold !== undefined ? server!.hold(`a${options.hold}.tar`, 65536) : undefined;
  const fake = fakeEngine({
    loadMs: options.loadMs ?? 30,
    ...(options.diskFree ? { diskFree: options.diskFree } : {}),
  });
  const run = crypto.randomUUID().slice(0, 8);
  const tags: string[] = [];
  const ids: string[] = [];
  const rows = [];
  for (let i = 0; i < options.count; i++) {
    const tag = `velora/la${run}-${i}:base`;
    const archive = fakeArchive(tag, 256 * 1024);
    tags.push(tag);
    ids.push(archive.id);
    if (!options.missing?.includes(i)) {
      await Deno.writeFile(join(archives, `a${i}.tar`), archive.bytes);
    }
    rows.push({
      ...demoRow,
      instance_id: `la-${i}`,
      image_storage_uri: server ? `${server.url}/a${i}.tar` : `archives/a${i}.tar`,
    });
  }
  const dataset = join(dir, "tasks.jsonl");
  await Deno.writeTextFile(dataset, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const record = await ImageRecord.open(runDir);
  record.data.settings = {
    mode: "per-instance",
    aliases: ["velora-test/{id}:alias"],
    s3: {},
    lookahead: options.lookahead,
    parallel: options.parallel ?? 1,
    ...(options.diskGb !== undefined ? { lookahead_disk_gb: options.diskGb } : {}),
    ...(options.http ? { keep_tars_dir: join(dir, "tars") } : {}),
  };
  await record.save();
  const lines: string[] = [];
  const stop = new AbortController();
  const jit = await jitImages(
    runDir,
    {} as Docker,
    dataset,
    (line) => lines.push(line),
    stop.signal,
    {
      engine: fake.engine,
      cache: new SourceCache(join(dir, "cache.json")),
    },
  );
  assert.ok(jit.active);
  return {
    dir,
    runDir,
    fake,
    instances: rows.map((row) => toInstance(row)),
    tags,
    ids,
    jit,
    lines,
    stop,
    ...(hold ? { release: () => hold.release() } : {}),
    async cleanup() {
      hold?.release();
      await server?.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Infer's pool: `workers` loops taking instances in order until none is left or ^C. */
async function pool(
  s: Setup,
  workers: number,
  work: (index: number) => Promise<void>,
  inUse = new Set<string>(),
): Promise<Map<string, unknown>> {
  await s.jit.plan(s.instances);
  const results = new Map<string, unknown>();
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < s.instances.length && !s.stop.signal.aborted) {
      const index = next++;
      const instance = s.instances[index]!;
      inUse.add(s.tags[index]!);
      const result = await s.jit.with(instance, async () => {
        s.fake.events.push(`start ${index}`);
        await work(index);
        s.fake.events.push(`end ${index}`);
        return "ok";
      });
      inUse.delete(s.tags[index]!);
      results.set(instance.instance_id, result);
    }
  }));
  return results;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The run's images the engine has now (by archive tag), loaded or being loaded. */
function runImages(s: Setup): Set<string> {
  const out = new Set(s.fake.loading());
  for (const [id, tags] of s.fake.images()) {
    const index = s.ids.indexOf(id);
    if (index >= 0) out.add(s.tags[index]!);
    else for (const tag of tags) if (s.tags.includes(tag)) out.add(tag);
  }
  return out;
}

Deno.test("look-ahead: image k+1 is loaded before instance k finishes; one worker", async () => {
  const s = await setup({ count: 4, lookahead: 1 });
  try {
    const results = await pool(s, 1, () => sleep(150));
    await s.jit[Symbol.asyncDispose]();
    assert.deepEqual([...results.values()], ["ok", "ok", "ok", "ok"]);
    const at = (event: string) => s.fake.events.indexOf(event);
    for (let k = 0; k < 3; k++) {
      assert.ok(at(`load ${s.tags[k + 1]}`) >= 0, `image ${k + 1} loaded`);
      assert.ok(
        at(`load ${s.tags[k + 1]}`) < at(`end ${k}`),
        `image ${k + 1} is loaded while instance ${k} runs: ${s.fake.events.join(", ")}`,
      );
    }
    assert.equal(s.fake.events.filter((e) => e.startsWith("load ")).length, 4, "each image once");
    assert.ok(
      s.lines.some((l) => /^look-ahead: loading .*a1\.tar for la-1$/.test(l)),
      s.lines.join("\n"),
    );
    assert.ok(s.lines.some((l) => /^look-ahead: .*a1\.tar ready for la-1 in [\d.]+ s/.test(l)));
    assert.ok(s.lines.includes("la-1: image loaded ahead"));
    assert.equal(runImages(s).size, 0, "nothing of the run is left");
  } finally {
    await s.cleanup();
  }
});

Deno.test("look-ahead 0: each image loads when its instance starts (the sequential way)", async () => {
  const s = await setup({ count: 3, lookahead: 0 });
  try {
    await pool(s, 1, () => sleep(50));
    await s.jit[Symbol.asyncDispose]();
    const at = (event: string) => s.fake.events.indexOf(event);
    for (let k = 0; k < 2; k++) assert.ok(at(`load ${s.tags[k + 1]}`) > at(`end ${k}`));
    assert.equal(runImages(s).size, 0);
  } finally {
    await s.cleanup();
  }
});

Deno.test("look-ahead: at most `lookahead` images beyond those in use, in the workers' order", async () => {
  for (const lookahead of [1, 2]) {
    const s = await setup({ count: 8, lookahead, parallel: 2, loadMs: 20 });
    const inUse = new Set<string>();
    let most = 0;
    s.fake.onLoadStart = (tag) => {
      const extra = [...runImages(s)].filter((t) => !inUse.has(t));
      most = Math.max(most, extra.length);
      assert.ok(extra.length <= lookahead, `${extra.length} extra images at ${tag}`);
    };
    try {
      const durations = [120, 40, 90, 30, 60, 100, 20, 50];
      const results = await pool(s, 2, (i) => sleep(durations[i]!), inUse);
      await s.jit[Symbol.asyncDispose]();
      assert.equal([...results.values()].filter((r) => r === "ok").length, 8);
      assert.equal(most, lookahead, "it does load ahead");
      const order = s.lines.flatMap((l) =>
        /^look-ahead: loading .*\/a(\d)\.tar for /.exec(l)?.[1] ?? []
      );
      // In the workers' order (an image the look-ahead did not reach loads when needed).
      assert.deepEqual(order, [...order].sort(), "in the workers' order");
      assert.ok(order.length >= 4, order.join(" "));
      assert.equal(runImages(s).size, 0);
    } finally {
      await s.cleanup();
    }
  }
});

Deno.test("look-ahead: images there before the run stay, with their tags", async () => {
  const s = await setup({ count: 4, lookahead: 2 });
  try {
    // Instance 2's image is in the engine already (same id and tag as its archive).
    s.fake.preload(s.ids[2]!, [s.tags[2]!]);
    s.fake.preload("sha256:" + "ab".repeat(32), ["someone/else:1"]);
    await pool(s, 2, () => sleep(40));
    await s.jit[Symbol.asyncDispose]();
    assert.deepEqual([...s.fake.images().get(s.ids[2]!)!], [s.tags[2]!], "its alias went");
    assert.deepEqual([...s.fake.images().get("sha256:" + "ab".repeat(32))!], ["someone/else:1"]);
    assert.equal(s.fake.images().size, 2);
    assert.ok(!s.fake.events.includes(`load ${s.tags[2]}`), "not transferred");
    assert.ok(!s.fake.events.includes(`remove ${s.tags[2]}`));
  } finally {
    await s.cleanup();
  }
});

Deno.test("look-ahead: a failed load gives that instance its load error; the others run", async () => {
  const s = await setup({ count: 4, lookahead: 2, parallel: 2, missing: [1] });
  try {
    const results = await pool(s, 2, () => sleep(60));
    await s.jit[Symbol.asyncDispose]();
    assert.equal(results.get("la-0"), "ok");
    assert.deepEqual(results.get("la-1"), {
      loadError: `${join(s.dir, "archives", "a1.tar")}: no such file`,
    });
    assert.equal(results.get("la-2"), "ok");
    assert.equal(results.get("la-3"), "ok");
    assert.ok(
      s.lines.some((l) => l.startsWith("look-ahead: la-1's image failed")),
      s.lines.join("\n"),
    );
    assert.equal(runImages(s).size, 0);
    const record = (await ImageRecord.open(s.runDir)).data;
    const statuses = Object.values(record.images).map((e) => e.status).sort();
    assert.deepEqual(statuses, ["failed", "removed", "removed", "removed"]);
  } finally {
    await s.cleanup();
  }
});

Deno.test("look-ahead: nothing is left behind: no image of the run, no temp file (HTTP, kept tars)", async () => {
  const s = await setup({ count: 4, lookahead: 2, http: true });
  try {
    const results = await pool(s, 2, () => sleep(30));
    await s.jit[Symbol.asyncDispose]();
    assert.equal([...results.values()].filter((r) => r === "ok").length, 4);
    assert.equal(runImages(s).size, 0);
    assert.equal(s.fake.images().size, 0);
    const files = await listTree(s.dir);
    assert.deepEqual(files.filter((f) => f.startsWith("tars/")).sort(), [
      "tars/a0.tar",
      "tars/a1.tar",
      "tars/a2.tar",
      "tars/a3.tar",
    ]);
    assert.deepEqual(files.filter((f) => /partial|\.tmp/.test(f)), []);
  } finally {
    await s.cleanup();
  }
});

Deno.test("look-ahead: the first ^C cuts the loads no instance waits for; running ones finish", async () => {
  const s = await setup({ count: 4, lookahead: 2, http: true, hold: 2 });
  try {
    let interrupted = false;
    const results = await pool(s, 1, async (index) => {
      if (index !== 0) return;
      // Instance 0 runs while image 1 is loaded and image 2's transfer is held mid-way.
      const deadline = Date.now() + 20_000;
      while (!s.lines.some((l) => l.startsWith("look-ahead: loading") && l.includes("a2.tar"))) {
        if (Date.now() > deadline) throw new Error(s.lines.join("\n"));
        await sleep(10);
      }
      await sleep(100);
      s.stop.abort();
      interrupted = true;
    });
    await s.jit[Symbol.asyncDispose]();
    assert.ok(interrupted);
    assert.deepEqual([...results.keys()], ["la-0"], "no new instance after ^C");
    assert.equal(results.get("la-0"), "ok");
    assert.ok(!s.fake.events.includes(`load ${s.tags[2]}`), "the cut archive loaded nothing");
    assert.ok(s.fake.events.some((e) => e.startsWith("cut ")), s.fake.events.join(", "));
    assert.equal(s.fake.images().size, 0, "what was loaded ahead is removed");
    const files = await listTree(s.dir);
    assert.deepEqual(files.filter((f) => /partial|\.tmp/.test(f)), [], files.join("\n"));
    assert.ok(!files.includes("tars/a2.tar"));
  } finally {
    await s.cleanup();
  }
});

Deno.test("look-ahead: stop now (second ^C) cuts every load and takes back what they made", async () => {
  const s = await setup({ count: 4, lookahead: 2, http: true, hold: 1 });
  try {
    let stopped: Promise<void> | undefined;
    const running = pool(s, 1, async (index) => {
      if (index !== 0) return;
      const deadline = Date.now() + 20_000;
      while (!s.lines.some((l) => l.startsWith("look-ahead: loading") && l.includes("a1.tar"))) {
        if (Date.now() > deadline) throw new Error(s.lines.join("\n"));
        await sleep(10);
      }
      await sleep(100);
      s.stop.abort();
      stopped = s.jit.stopNow();
      await stopped;
    });
    await running;
    assert.ok(stopped);
    // Instance 0's own image stays while its work runs (a second ^C removes its container and
    // exits); nothing loaded ahead, nothing half-loaded, no partial download.
    const left = [...runImages(s)];
    assert.ok(left.every((tag) => tag === s.tags[0]), left.join(", "));
    assert.ok(!s.fake.events.includes(`load ${s.tags[1]}`));
    assert.ok(s.fake.events.some((e) => e.startsWith("cut ")), s.fake.events.join(", "));
    let files = await listTree(s.dir);
    assert.deepEqual(files.filter((f) => /partial/.test(f)), [], files.join("\n"));
    await s.jit[Symbol.asyncDispose]();
    files = await listTree(s.dir);
    assert.deepEqual(files.filter((f) => /partial|\.tmp/.test(f)), [], files.join("\n"));
  } finally {
    await s.cleanup();
  }
});

Deno.test("look-ahead: no look-ahead load while the engine's disk is under lookahead_disk_gb", async () => {
  let free = 5e9;
  const s = await setup({ count: 4, lookahead: 2, diskGb: 10, diskFree: () => free });
  try {
    await pool(s, 1, async (index) => {
      await sleep(60);
      if (index === 1) free = 50e9; // room again
    });
    await s.jit[Symbol.asyncDispose]();
    const at = (event: string) => s.fake.events.indexOf(event);
    assert.ok(at(`load ${s.tags[1]}`) > at(`end 0`), "paused: loaded when it starts");
    assert.ok(at(`load ${s.tags[3]}`) < at(`end 2`), "resumed");
    assert.ok(s.lines.some((l) => l.startsWith("look-ahead paused: 5.0 GB free for Docker")));
    assert.ok(s.lines.some((l) => l.startsWith("look-ahead resumed: 50 GB free")));
    assert.equal(runImages(s).size, 0);
  } finally {
    await s.cleanup();
  }
});

Deno.test("look-ahead: a planned instance that is skipped does not keep its image", async () => {
  const s = await setup({ count: 3, lookahead: 2 });
  try {
    await s.jit.plan(s.instances);
    const deadline = Date.now() + 10_000;
    while (runImages(s).size < 2 && Date.now() < deadline) await sleep(10);
    assert.equal(runImages(s).size, 2);
    s.jit.skip("la-0");
    assert.equal(await s.jit.with(s.instances[1]!, () => Promise.resolve("ok")), "ok");
    assert.equal(await s.jit.with(s.instances[2]!, () => Promise.resolve("ok")), "ok");
    await s.jit[Symbol.asyncDispose]();
    assert.equal(runImages(s).size, 0);
  } finally {
    await s.cleanup();
  }
});
