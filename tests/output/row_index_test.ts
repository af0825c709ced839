import assert from "node:assert/strict";
import { join } from "node:path";
import { planResume } from "../../src/infer/infer_run.ts";
import { JsonlWriter } from "../../src/output/jsonl_writer.ts";
import {
  indexPathOf,
  patchSha256,
  readIndex,
  reportHash,
  scanRows,
} from "../../src/output/row_index.ts";

async function withDir(fn: (dir: string, path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "velora-row-index-" });
  try {
    await fn(dir, join(dir, "output.jsonl"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function row(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    instance_id: id,
    test_result: { git_patch: `patch of ${id}` },
    history: [{ content: "é".repeat(300) }], // multi-byte: offsets are bytes, not characters
    error: null,
    ...extra,
  };
}

async function lines(path: string): Promise<Record<string, unknown>[]> {
  return (await Deno.readTextFile(path)).trimEnd().split("\n").map((l) => JSON.parse(l));
}

/** A writer over `path` holding rows a, b (infrastructure error), c. */
async function threeRows(path: string): Promise<JsonlWriter> {
  const writer = await JsonlWriter.open(path, { index: true });
  await writer.append(row("a"));
  await writer.append(row("b", { error: "AgentRuntimeError: sandbox gone" }));
  await writer.append(row("c"));
  return writer;
}

Deno.test("row index: written beside the file and kept up to date by appends; read on reopen", async () => {
  await withDir(async (_, path) => {
    const writer = await threeRows(path);
    assert.equal(writer.indexState, "rebuilt"); // a new file: an empty index was written
    const reopened = await JsonlWriter.open(path, { index: true });
    assert.equal(reopened.indexState, "read");
    assert.deepEqual(reopened.ids(), ["a", "b", "c"]);
    const b = reopened.entry("b")!;
    assert.equal(b.err, "AgentRuntimeError: sandbox gone");
    assert.equal(b.patch, patchSha256("patch of b"));
    assert.equal(b.report, null);
    // Offsets and lengths are bytes of the file.
    const bytes = await Deno.readFile(path);
    const text = new TextDecoder().decode(bytes.subarray(b.at, b.at + b.len));
    assert.deepEqual(JSON.parse(text), row("b", { error: "AgentRuntimeError: sandbox gone" }));
    assert.equal(b.at + b.len, reopened.entry("c")!.at);
    assert.deepEqual(await reopened.row("c"), row("c"));
    // The index is what a scan of the file says.
    assert.deepEqual((await readIndex(path))!.entries, (await scanRows(path)).entries);
  });
});

Deno.test("row index: rebuilt from the file when deleted, stale or corrupt", async () => {
  await withDir(async (_, path) => {
    await threeRows(path);
    const index = indexPathOf(path);
    const expected = (await scanRows(path)).entries;

    await Deno.remove(index);
    let writer = await JsonlWriter.open(path, { index: true });
    assert.equal(writer.indexState, "rebuilt");
    assert.deepEqual((await readIndex(path))!.entries, expected);

    // Stale: a row appended by something else (size and mtime no longer match).
    await Deno.writeTextFile(path, JSON.stringify(row("d")) + "\n", { append: true });
    assert.equal(await readIndex(path), undefined);
    writer = await JsonlWriter.open(path, { index: true });
    assert.equal(writer.indexState, "rebuilt");
    assert.deepEqual(writer.ids(), ["a", "b", "c", "d"]);

    // Stale: the file rewritten with the same size (another inode, another mtime).
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(`${path}.new`, text.replace('"a"', '"z"'));
    await Deno.rename(`${path}.new`, path);
    writer = await JsonlWriter.open(path, { index: true });
    assert.equal(writer.indexState, "rebuilt");
    assert.deepEqual(writer.ids(), ["z", "b", "c", "d"]);

    // Corrupt: not JSON, cut short, or entries that do not cover the file.
    const good = await Deno.readTextFile(index);
    for (
      const bad of [
        "garbage\n",
        good.slice(0, good.length - 10),
        good.replace(/"at":0,/, '"at":1,'),
        good.split("\n").slice(0, 3).join("\n") + "\n",
        "",
      ]
    ) {
      await Deno.writeTextFile(index, bad);
      writer = await JsonlWriter.open(path, { index: true });
      assert.equal(writer.indexState, "rebuilt", JSON.stringify(bad.slice(0, 80)));
      assert.deepEqual(writer.ids(), ["z", "b", "c", "d"]);
    }
    assert.equal(await Deno.readTextFile(index), good);
  });
});

Deno.test("row index: an index that names the wrong rows is never believed over the file", async () => {
  await withDir(async (_, path) => {
    await threeRows(path);
    const index = indexPathOf(path);
    // Same stamp, swapped ids: the index looks valid, but reading a row through it disagrees.
    const lying = (await Deno.readTextFile(index)).replace('"id":"a"', '"id":"X"')
      .replace('"id":"c"', '"id":"a"').replace('"id":"X"', '"id":"c"');
    await Deno.writeTextFile(index, lying);
    const writer = await JsonlWriter.open(path, { index: true });
    assert.equal(writer.indexState, "read");
    assert.deepEqual(await writer.row("a"), row("a")); // mismatch → rebuilt → the right row
    assert.deepEqual(writer.ids(), ["a", "b", "c"]);
    assert.deepEqual((await readIndex(path))!.entries, (await scanRows(path)).entries);

    // A rewrite through a lying index also finds out, rebuilds and does the right thing.
    await Deno.writeTextFile(index, lying);
    const again = await JsonlWriter.open(path, { index: true });
    await again.replace([row("a", { error: "new" })]);
    assert.deepEqual((await lines(path)).map((r) => [r.instance_id, r.error]), [
      ["b", "AgentRuntimeError: sandbox gone"],
      ["c", null],
      ["a", "new"],
    ]);
  });
});

Deno.test("row index: a torn last line is still moved to .torn, and the index rebuilt", async () => {
  await withDir(async (_, path) => {
    await threeRows(path);
    await Deno.writeTextFile(path, '{"instance_id":"d","hist', { append: true });
    const writer = await JsonlWriter.open(path, { index: true });
    assert.equal(writer.repairedBytes, '{"instance_id":"d","hist'.length);
    assert.equal(await Deno.readTextFile(`${path}.torn`), '{"instance_id":"d","hist\n');
    assert.equal(writer.indexState, "rebuilt");
    assert.deepEqual(writer.ids(), ["a", "b", "c"]);
    await writer.append(row("d"));
    assert.equal((await JsonlWriter.open(path, { index: true })).indexState, "read");
    assert.deepEqual((await readIndex(path))!.entries, (await scanRows(path)).entries);
  });
});

Deno.test("planResume: skips rows, reruns infrastructure errors, from the index alone", async () => {
  await withDir(async (_, path) => {
    await threeRows(path);
    const writer = await JsonlWriter.open(path, { index: true });
    assert.deepEqual(planResume(writer, ["a", "b", "c", "d"], false), {
      todo: ["d"],
      rerun: new Set(),
      skipped: 3,
    });
    assert.deepEqual(planResume(writer, ["a", "b", "c", "d"], true), {
      todo: ["b", "d"],
      rerun: new Set(["b"]),
      skipped: 2,
    });
    // A retried row is appended, then compacted away: one row per id, in the order written.
    await writer.append(row("b"));
    assert.deepEqual(planResume(writer, ["a", "b", "c"], true).todo, []);
    assert.deepEqual((await lines(path)).map((r) => r.instance_id), ["a", "b", "c", "b"]);
    await writer.compact();
    assert.deepEqual((await lines(path)).map((r) => r.instance_id), ["a", "c", "b"]);
    assert.deepEqual(await lines(path), [row("a"), row("c"), row("b")]);
    const reopened = await JsonlWriter.open(path, { index: true });
    assert.equal(reopened.indexState, "read");
    assert.deepEqual(reopened.ids(), ["a", "c", "b"]);
  });
});

Deno.test("JsonlWriter.update: parses only the rows it changes; writes nothing when none change", async () => {
  await withDir(async (_, path) => {
    const writer = await threeRows(path);
    // A row written by hand with keys in its own spacing: kept byte for byte when not changed.
    const odd = '{"instance_id": "d",  "error": null}\n';
    await Deno.writeTextFile(path, odd, { append: true });
    const reopened = await JsonlWriter.open(path, { index: true });
    const report = { resolved: true };
    let asked = 0;
    await reopened.update((entry) => {
      asked++;
      return entry.id === "b" ? (r) => ({ ...r, report }) : undefined;
    });
    assert.equal(asked, 4);
    const text = await Deno.readTextFile(path);
    assert.ok(text.endsWith(odd));
    assert.deepEqual((await lines(path))[1], {
      ...row("b", { error: "AgentRuntimeError: sandbox gone" }),
      report,
    });
    assert.equal(reopened.entry("b")!.report, reportHash(report));

    const before = await Deno.stat(path);
    await reopened.update((entry) =>
      entry.report === reportHash(report) ? undefined : entry.id === "b" ? (r) => r : undefined
    );
    const after = await Deno.stat(path);
    assert.equal(after.ino, before.ino, "no rewrite");
    assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
    assert.equal((await JsonlWriter.open(path, { index: true })).indexState, "read");
    void writer;
  });
});

Deno.test("JsonlWriter.update with set: keys added without parsing, same bytes as a parse would give", async () => {
  await withDir(async (_, path) => {
    const writer = await threeRows(path);
    await writer.update((entry) => entry.id === "b" ? undefined : { set: { report: { n: 1 } } });
    const expected = [
      { ...row("a"), report: { n: 1 } },
      row("b", { error: "AgentRuntimeError: sandbox gone" }),
      { ...row("c"), report: { n: 1 } },
    ];
    assert.equal(
      await Deno.readTextFile(path),
      expected.map((r) => JSON.stringify(r) + "\n").join(""),
    );
    // A row that has the key already: parsed, the key keeps its place.
    await writer.update((entry) => entry.id === "a" ? { set: { report: { n: 2 } } } : undefined);
    const first = (await lines(path))[0]!;
    assert.deepEqual(Object.keys(first), Object.keys(expected[0]!));
    assert.deepEqual(first.report, { n: 2 });
    const reopened = await JsonlWriter.open(path, { index: true });
    assert.equal(reopened.indexState, "read");
    assert.deepEqual((await readIndex(path))!.entries, (await scanRows(path)).entries);
  });
});

Deno.test("JsonlWriter without index: true keeps the index in memory only", async () => {
  await withDir(async (_, path) => {
    const writer = await JsonlWriter.open(path);
    await writer.append(row("a"));
    await writer.replace([row("a", { error: "x" })]);
    assert.equal(writer.indexState, "memory");
    assert.equal(await Deno.stat(indexPathOf(path)).then(() => true, () => false), false);
    assert.deepEqual((await JsonlWriter.open(path)).ids(), ["a"]);
    assert.deepEqual(await writer.row("a"), row("a", { error: "x" }));
  });
});
