/**
 * The row index on a disk that refuses writes: a rewrite the full disk refuses leaves the file
 * (and its index) as they were and no temp file; an append it refuses leaves an index that is
 * still valid. Needs root (tmpfs mounts), like tests/disk_error_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DiskError } from "../../src/errors.ts";
import { JsonlWriter } from "../../src/output/jsonl_writer.ts";
import { indexPathOf, readIndex, scanRows } from "../../src/output/row_index.ts";
import { fillUp, ignoreWithoutMount, Tmpfs } from "../support/mount.ts";

const ignore = await ignoreWithoutMount();

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

Deno.test({
  name:
    "row index: a rewrite or append the full disk refuses leaves the file and index as they were",
  ignore,
  async fn() {
    await using disk = await Tmpfs.mount("512k");
    const path = join(disk.dir, "output.jsonl");
    const writer = await JsonlWriter.open(path, { index: true });
    for (const id of ["a", "b", "c"]) {
      await writer.append({ instance_id: id, history: id.repeat(40_000), error: null });
    }
    await writer.append({ instance_id: "b", history: "new", error: null });
    const before = await Deno.readTextFile(path);
    const index = await Deno.readTextFile(indexPathOf(path));
    const filler = await fillUp(disk.dir, 20_000);

    // The compaction needs room for a second copy of the file: refused, nothing changes.
    await assert.rejects(writer.compact(), (error) => {
      assert.ok(error instanceof DiskError, String(error));
      assert.equal(error.path, path);
      assert.equal(error.code, "ENOSPC");
      return true;
    });
    assert.equal(await Deno.readTextFile(path), before);
    assert.equal(await Deno.readTextFile(indexPathOf(path)), index);
    assert.deepEqual(await names(disk.dir), ["filler", "output.jsonl", "output.jsonl.index"]);

    // An append it refuses: cut back, and the index still describes the file.
    await assert.rejects(
      writer.append({ instance_id: "d", history: "d".repeat(60_000) }),
      (error) => error instanceof DiskError && error.code === "ENOSPC",
    );
    assert.equal(await Deno.readTextFile(path), before);
    assert.equal((await JsonlWriter.open(path, { index: true })).indexState, "read");

    // Room again: the same writer goes on, and the index stays valid.
    await Deno.remove(filler);
    await writer.append({ instance_id: "d", history: "d" });
    await writer.compact();
    const reopened = await JsonlWriter.open(path, { index: true });
    assert.equal(reopened.indexState, "read");
    assert.deepEqual(reopened.ids(), ["a", "c", "b", "d"]);
    assert.deepEqual((await readIndex(path))!.entries, (await scanRows(path)).entries);
  },
});
