import assert from "node:assert/strict";
import { join } from "node:path";
import { JsonlWriter } from "../../src/output/jsonl_writer.ts";

async function tempFile(content?: string): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "velora-jsonl-" });
  const path = join(dir, "output.jsonl");
  if (content !== undefined) await Deno.writeTextFile(path, content);
  return { path, dir };
}

Deno.test("JsonlWriter moves a torn last line to output.jsonl.torn and keeps every full row", async () => {
  const full = JSON.stringify({ instance_id: "a", x: 1 });
  const { path, dir } = await tempFile(`${full}\n{"instance_id":"b","hist`);
  try {
    const writer = await JsonlWriter.open(path);
    assert.equal(writer.repairedBytes, '{"instance_id":"b","hist'.length);
    assert.equal(await Deno.readTextFile(path), `${full}\n`);
    assert.equal(await Deno.readTextFile(`${path}.torn`), '{"instance_id":"b","hist\n');
    await writer.append({ instance_id: "b", x: 2 });
    assert.deepEqual(writer.ids(), ["a", "b"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JsonlWriter leaves a clean file alone and creates a missing one", async () => {
  const { path, dir } = await tempFile('{"instance_id":"a"}\n');
  try {
    assert.equal((await JsonlWriter.open(path)).repairedBytes, 0);
    assert.equal(await Deno.readTextFile(path), '{"instance_id":"a"}\n');
    const fresh = join(dir, "new.jsonl");
    assert.equal((await JsonlWriter.open(fresh)).repairedBytes, 0);
    assert.equal(await Deno.readTextFile(fresh), "");
    const torn = join(dir, "only-torn.jsonl");
    await Deno.writeTextFile(torn, '{"instance_id":"x"'.repeat(10_000));
    await JsonlWriter.open(torn);
    assert.equal(await Deno.readTextFile(torn), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JsonlWriter appends concurrent rows as whole lines and replaces rows by id", async () => {
  const { path, dir } = await tempFile();
  try {
    const writer = await JsonlWriter.open(path);
    const big = "x".repeat(200_000);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => writer.append({ instance_id: `i${i}`, big })),
    );
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    assert.equal(lines.length, 20);
    for (const line of lines) assert.equal(JSON.parse(line).big.length, 200_000);
    await writer.replace([{ instance_id: "i3", error: null }]);
    assert.equal(writer.size, 20);
    assert.deepEqual(await writer.row("i3"), { instance_id: "i3", error: null });
    const ids = (await Deno.readTextFile(path)).trimEnd().split("\n").map((l) =>
      JSON.parse(l).instance_id
    );
    assert.equal(ids.filter((id) => id === "i3").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
