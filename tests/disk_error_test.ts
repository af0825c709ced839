/**
 * Disk faults on velora's own files: `DiskError` from OS errors, and the writers of `src/fs.ts`,
 * `output.jsonl` and the state file on a full or read-only tmpfs (no temp file, no torn line, the
 * old content kept).
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DiskError, VeloraError } from "../src/errors.ts";
import { AppendFile, AtomicFile, makeDir, writeFileAtomic, writeTextFile } from "../src/fs.ts";
import { JsonlWriter } from "../src/output/jsonl_writer.ts";
import { writeState } from "../src/pipeline/state.ts";
import type { RunState } from "../src/pipeline/state.ts";
import { fillUp, ignoreWithoutMount, Tmpfs } from "./support/mount.ts";

const ignore = await ignoreWithoutMount();

/** A DiskError naming `path` and `code`. */
function isDiskError(path: string, code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof DiskError, `${error}`);
    assert.ok(error instanceof VeloraError);
    assert.equal(error.code, code);
    assert.equal(error.path, path);
    assert.match(error.message, new RegExp(`"${path}": .* \\(${code}\\)$`));
    assert.doesNotMatch(error.message, /\n/);
    return true;
  };
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

Deno.test("DiskError.from: errno text, the path from Deno's message, undefined for other errors", async () => {
  const nospace = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  const fault = DiskError.from(nospace, "/x/output.jsonl")!;
  assert.equal(fault.message, 'Cannot write "/x/output.jsonl": no space left on device (ENOSPC)');
  assert.equal(fault.cause, nospace);
  assert.equal(DiskError.from(fault), fault);

  const readOnly = Object.assign(
    new Error("Read-only file system (os error 30): mkdir '/r/run/logs'"),
    { code: "EROFS" },
  );
  assert.equal(
    DiskError.from(readOnly)!.message,
    'Cannot create "/r/run/logs": read-only file system (EROFS)',
  );
  const rename = Object.assign(
    new Error("Disk quota exceeded (os error 122): rename '/a.tmp-1-1' -> '/a'"),
    { code: "EDQUOT" },
  );
  assert.equal(DiskError.from(rename)!.message, 'Cannot write "/a": disk quota exceeded (EDQUOT)');

  // A real one: EACCES is Deno.errors.PermissionDenied.
  const denied = await Deno.writeTextFile("/proc/1/mem", "x").catch((e) => e);
  assert.ok(denied instanceof Deno.errors.PermissionDenied);
  assert.equal(
    DiskError.from(denied)!.message,
    'Cannot write "/proc/1/mem": permission denied (EACCES)',
  );

  const missing = await Deno.readTextFile("/nonexistent/x").catch((e) => e);
  assert.equal(DiskError.from(missing), undefined, "ENOENT is not a disk fault");
  assert.equal(DiskError.from(new Error("boom")), undefined);
  assert.equal(DiskError.from("text"), undefined);
});

Deno.test({
  name: "fs writers on a full disk: DiskError naming the target, no temp or partial file, old kept",
  ignore,
  async fn() {
    await using disk = await Tmpfs.mount("256k");
    const target = join(disk.dir, "state.json");
    await writeFileAtomic(target, "old\n");
    const filler = await fillUp(disk.dir, 8192);
    const big = "y".repeat(64 * 1024);

    await assert.rejects(writeFileAtomic(target, big), isDiskError(target, "ENOSPC"));
    // Past the 1 MiB buffer: the write fails in text(), before commit().
    await assert.rejects(
      writeFileAtomic(target, Array.from({ length: 20 }, () => big)),
      isDiskError(target, "ENOSPC"),
    );
    const file = await AtomicFile.open(target);
    await file.text(big);
    await assert.rejects(file.commit(), isDiskError(target, "ENOSPC"));
    assert.equal(await Deno.readTextFile(target), "old\n");

    const log = join(disk.dir, "completion.json");
    await assert.rejects(writeTextFile(log, big, { createNew: true }), isDiskError(log, "ENOSPC"));
    const append = await AppendFile.open(join(disk.dir, "instance.log"));
    assert.throws(() => append.write(big), isDiskError(join(disk.dir, "instance.log"), "ENOSPC"));
    append.close();

    const state = { version: 1, name: "n", phases: [] } as unknown as RunState;
    await assert.rejects(
      writeState(disk.dir, { ...state, pipeline: { file: "p", text: big, overrides: [] } }),
      isDiskError(join(disk.dir, "velora-state.json"), "ENOSPC"),
    );
    assert.deepEqual(await names(disk.dir), ["filler", "instance.log", "state.json"]);

    // Space freed: the same writes go through.
    await Deno.remove(filler);
    await writeFileAtomic(target, big);
    await writeState(disk.dir, state);
    assert.equal(await Deno.readTextFile(target), big);
  },
});

Deno.test({
  name: "fs writers on a read-only disk: DiskError naming the path and EROFS",
  ignore,
  async fn() {
    await using disk = await Tmpfs.mount("64k");
    await disk.remount("ro");
    const target = join(disk.dir, "metadata.json");
    await assert.rejects(writeFileAtomic(target, "{}"), isDiskError(target, "EROFS"));
    await assert.rejects(makeDir(join(disk.dir, "eval_outputs")), (error) => {
      assert.ok(error instanceof DiskError);
      assert.equal(
        error.message,
        `Cannot create "${join(disk.dir, "eval_outputs")}": read-only file system (EROFS)`,
      );
      return true;
    });
    await assert.rejects(
      JsonlWriter.open(join(disk.dir, "output.jsonl")),
      isDiskError(join(disk.dir, "output.jsonl"), "EROFS"),
    );
  },
});

Deno.test({
  name: "output.jsonl: an append the full disk refuses is cut back, no torn row; freed, it appends",
  ignore,
  async fn() {
    await using disk = await Tmpfs.mount("256k");
    const path = join(disk.dir, "output.jsonl");
    const writer = await JsonlWriter.open(path);
    await writer.append({ instance_id: "a", x: 1 });
    const before = await Deno.readTextFile(path);
    const filler = await fillUp(disk.dir, 6000);
    // Larger than the room left: part of it would fit (tmpfs gives what it has), then ENOSPC.
    const row = { instance_id: "b", history: "h".repeat(40_000) };
    await assert.rejects(writer.append(row), isDiskError(path, "ENOSPC"));
    assert.equal(await Deno.readTextFile(path), before, "the file is as it was");

    await Deno.remove(filler);
    await writer.append(row);
    const reopened = await JsonlWriter.open(path);
    assert.equal(reopened.repairedBytes, 0);
    assert.deepEqual(reopened.ids(), ["a", "b"]);
  },
});
