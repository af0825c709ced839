import assert from "node:assert/strict";
import { join } from "node:path";
import { SourceCache } from "../../src/images/cache.ts";
import { probeArchive, REMOTE_WALK_LIMIT } from "../../src/images/probe.ts";
import { sourceFor } from "../../src/images/source.ts";
import { displayUri, SourceError } from "../../src/images/tar_source.ts";
import { s3Reason } from "../../src/images/source_s3.ts";
import { serveFiles } from "../fakes/http_files.ts";
import { makeTar, manifestJson } from "./_tar.ts";

const HEX = "ef".repeat(32);
const MANIFEST = manifestJson(HEX, ["velora/abc:base"]);
const EXPECTED = [{ id: `sha256:${HEX}`, repoTags: ["velora/abc:base"] }];

Deno.test("displayUri drops passwords and presigned queries", () => {
  assert.equal(
    displayUri("https://user:secret@host.example/a/b.tar?X-Amz-Signature=abc&X-Amz-Credential=k"),
    "https://host.example/a/b.tar?…",
  );
  assert.equal(displayUri("s3://bucket/key.tar"), "s3://bucket/key.tar");
  assert.equal(displayUri("relative/path.tar"), "relative/path.tar");
});

Deno.test("sourceFor: schemes, relative paths, and what it refuses", () => {
  const settings = { baseDir: "/data" };
  assert.equal(sourceFor("x.tar", settings).display, "/data/x.tar");
  assert.equal(sourceFor("file:///tmp/x.tar", settings).display, "file:///tmp/x.tar");
  assert.equal(sourceFor("s3://b/k/x.tar", settings).display, "s3://b/k/x.tar");
  assert.equal(sourceFor("https://h/x.tar?sig=1", settings).display, "https://h/x.tar?…");
  assert.throws(
    () => sourceFor("docker://image:tag", settings),
    /unsupported scheme "docker:\/\/"/,
  );
  assert.throws(
    () => sourceFor("registry.example.com/repomate/owner_repo:abc123", settings),
    /a registry image reference, not an archive/,
  );
  assert.throws(() => sourceFor("s3://bucket-only", settings), /expected "s3:\/\/<bucket>\/<key>"/);
});

Deno.test("s3Reason: one line with status and code; HEAD answers get the status text", () => {
  const e = (name: string, status: number, message = "UnknownError") =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  assert.equal(s3Reason(e("NotFound", 404)), "S3 answered 404 Not Found");
  assert.equal(s3Reason(e("Unknown", 403)), "S3 answered 403 Forbidden");
  assert.equal(
    s3Reason(e("NoSuchKey", 404, "The specified key does not exist.")),
    "S3 answered 404 NoSuchKey: The specified key does not exist.",
  );
  assert.equal(
    s3Reason(
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
    ),
    "cannot reach S3: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9",
  );
});

Deno.test("probe: local tars are walked (manifest anywhere); truncated and non-tars are named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const write = async (name: string, bytes: Uint8Array) => {
      await Deno.writeFile(join(dir, name), bytes);
      const source = sourceFor(name, { baseDir: dir });
      return { source, info: await source.info() };
    };
    const first = await write(
      "first.tar",
      makeTar([{ name: "manifest.json", content: MANIFEST }, {
        name: "big",
        content: new Uint8Array(200_000),
      }]),
    );
    assert.deepEqual(await probeArchive(first.source, first.info), {
      kind: "manifest",
      images: EXPECTED,
    });
    assert.ok(first.source.bytesRead < 2048, `read ${first.source.bytesRead}`);

    const whole = makeTar([
      { name: "l/layer.tar", content: new Uint8Array(300_000).fill(1) },
      { name: "manifest.json", content: MANIFEST },
    ]);
    const last = await write("last.tar", whole);
    assert.deepEqual(await probeArchive(last.source, last.info), {
      kind: "manifest",
      images: EXPECTED,
    });
    assert.ok(last.source.bytesRead < 4096, `read ${last.source.bytesRead}`);

    const cut = await write("cut.tar", whole.subarray(0, 100_000));
    await assert.rejects(
      () => probeArchive(cut.source, cut.info),
      (error: Error) =>
        error instanceof SourceError &&
        error.message ===
          'truncated tar: it ends at byte 100000, inside entry "l/layer.tar" (which ends at byte 300512)',
    );
    const junk = await write("junk.tar", new TextEncoder().encode("<html>nope</html>".repeat(50)));
    await assert.rejects(() => probeArchive(junk.source, junk.info), /not a tar archive/);
    const empty = await write("empty.tar", new Uint8Array(0));
    await assert.rejects(() => probeArchive(empty.source, empty.info), /empty file/);
    const gz = await write("x.tar.gz", new Uint8Array([0x1f, 0x8b, 8, 0, ...new Uint8Array(600)]));
    assert.deepEqual(await probeArchive(gz.source, gz.info), {
      kind: "compressed",
      format: "gzip",
    });
    const none = await write("none.tar", makeTar([{ name: "a", content: "b" }]));
    assert.deepEqual(await probeArchive(none.source, none.info), {
      kind: "unknown",
      reason: "the archive has no manifest.json",
      plainTar: true,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probe over HTTP: two ranged reads for a manifest at the end; a capped walk otherwise", async () => {
  const dir = await Deno.makeTempDir();
  const server = serveFiles(dir);
  try {
    const layer = new Uint8Array(1_000_000).fill(3);
    await Deno.writeFile(
      join(dir, "end.tar"),
      makeTar([
        { name: "l/layer.tar", content: layer },
        { name: `${HEX}.json`, content: "{}" },
        { name: "manifest.json", content: MANIFEST },
        { name: "repositories", content: "{}" },
      ]),
    );
    const end = sourceFor(`${server.url}/end.tar`, { baseDir: dir });
    assert.deepEqual(await probeArchive(end, await end.info()), {
      kind: "manifest",
      images: EXPECTED,
    });
    assert.ok(end.bytesRead < 70_000, `read ${end.bytesRead}`);
    assert.deepEqual(server.requests().map((r) => r.split(" ").slice(0, 2).join(" ")), [
      "HEAD /end.tar",
      "GET /end.tar",
      "GET /end.tar",
    ]);

    const entries = Array.from({ length: REMOTE_WALK_LIMIT + 5 }, (_, i) => ({
      name: `f${i}`,
      content: new Uint8Array(40_000),
    }));
    await Deno.writeFile(
      join(dir, "middle.tar"),
      makeTar([
        ...entries,
        { name: "manifest.json", content: MANIFEST },
        ...entries.map((e) => ({ ...e, name: `g${e.name}` })),
      ]),
    );
    const middle = sourceFor(`${server.url}/middle.tar`, { baseDir: dir });
    const result = await probeArchive(middle, await middle.info());
    assert.deepEqual(result, {
      kind: "unknown",
      reason: "manifest.json is not near either end",
      plainTar: true,
    });

    const missing = sourceFor(`${server.url}/missing.tar`, { baseDir: dir });
    await assert.rejects(() => missing.info(), /^Error: HTTP 404 Not Found$/);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probe over HTTP: a server that ignores Range is not read past the first block", async () => {
  const tar = makeTar([{ name: "l", content: new Uint8Array(2_000_000) }, {
    name: "manifest.json",
    content: MANIFEST,
  }]);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (request.method === "HEAD") {
      return new Response(null, { headers: { "content-length": String(tar.length) } });
    }
    let at = 0;
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (at >= tar.length) return controller.close();
          const chunk = tar.slice(at, at + 16384);
          at += chunk.length;
          controller.enqueue(chunk);
        },
      }),
      { headers: { "content-length": String(tar.length) } },
    );
  });
  try {
    const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/x.tar`;
    const source = sourceFor(url, { baseDir: "/" });
    const result = await probeArchive(source, await source.info());
    assert.deepEqual(result, {
      kind: "unknown",
      reason: "the server ignores Range requests",
      plainTar: true,
    });
    assert.ok(source.bytesRead < 100_000, `read ${source.bytesRead} bytes`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("SourceCache persists across instances, keyed by URI and identity", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "sub", "cache.json");
    const key = await SourceCache.key("s3://b/k.tar", '"etag1"|10');
    await new SourceCache(file).set(key, EXPECTED);
    assert.deepEqual(await new SourceCache(file).get(key), EXPECTED);
    assert.equal(
      await new SourceCache(file).get(await SourceCache.key("s3://b/k.tar", '"etag2"|10')),
      undefined,
    );
    assert.doesNotMatch(await Deno.readTextFile(file), /s3:\/\//);
    await Deno.writeTextFile(file, "{torn");
    assert.equal(await new SourceCache(file).get(key), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probe: a local tar cut inside a header or at a block boundary says so", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const tar = makeTar([{ name: "a", content: "x" }, {
      name: "manifest.json",
      content: MANIFEST,
    }]);
    for (
      const [length, reason] of [
        [512 + 512 + 100, "truncated tar: it ends at byte 1124, inside a header"],
        [1024, "truncated tar: it ends at byte 1024 without the end-of-archive marker"],
      ] as const
    ) {
      await Deno.writeFile(join(dir, "t.tar"), tar.subarray(0, length));
      const source = sourceFor("t.tar", { baseDir: dir });
      await assert.rejects(
        () => probeArchive(source, { size: length, identity: "" }),
        (error: Error) => error.message === reason,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
