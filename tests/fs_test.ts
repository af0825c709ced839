import assert from "node:assert/strict";
import { join } from "node:path";
import { AtomicFile, writeFileAtomic } from "../src/fs.ts";

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "velora-fs-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeFileAtomic() replaces a file and returns the bytes written", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "a.json");
    await Deno.writeTextFile(path, "old");
    assert.equal(await writeFileAtomic(path, "né\n"), 4);
    assert.equal(await Deno.readTextFile(path), "né\n");
    assert.equal(await writeFileAtomic(path, ["a", "b", "c"]), 3);
    assert.equal(await Deno.readTextFile(path), "abc");
    assert.deepEqual(await names(dir), ["a.json"]);
  });
});

Deno.test("writeFileAtomic() that fails keeps the old file and leaves no temp file", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "a.json");
    await Deno.writeTextFile(path, "old");
    const pieces = function* () {
      yield "new";
      throw new Error("boom");
    };
    await assert.rejects(writeFileAtomic(path, pieces()), /boom/);
    assert.equal(await Deno.readTextFile(path), "old");
    assert.deepEqual(await names(dir), ["a.json"]);
    // The rename fails (the target is a folder): the temp file is removed too.
    await Deno.mkdir(join(dir, "d"));
    await Deno.writeTextFile(join(dir, "d", "x"), "");
    await assert.rejects(writeFileAtomic(join(dir, "d"), "text"));
    assert.deepEqual(await names(dir), ["a.json", "d"]);
  });
});

Deno.test("AtomicFile: nothing is visible before commit; abandon leaves the target alone", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "rows.jsonl");
    const file = await AtomicFile.open(path);
    await file.line({ a: 1 });
    assert.equal(await Deno.stat(path).then(() => true, () => false), false);
    await file.commit();
    assert.equal(await Deno.readTextFile(path), '{"a":1}\n');
    const other = await AtomicFile.open(path);
    await other.line({ b: 2 });
    await other.abandon();
    assert.equal(await Deno.readTextFile(path), '{"a":1}\n');
    assert.deepEqual(await names(dir), ["rows.jsonl"]);
  });
});
