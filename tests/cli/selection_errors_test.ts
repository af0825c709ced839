import assert from "node:assert/strict";
import { join } from "node:path";
import { listTree, velora } from "../support/velora.ts";

const PIPELINE = `name = "select"
output_dir = "run"

[[phases]]
kind = "infer"
dataset = "tasks.jsonl"
agent_cls = "DummyAgent"
SETTING
`;

const CASES: { setting: string; line: RegExp }[] = [
  {
    setting: 'slice = "a:b"',
    line:
      /^velora: p\.toml:8:1: phases\[0\]\.slice: expected start:stop\[:step\] with integers \(a Python slice\), got "a:b"$/,
  },
  {
    setting: 'slice = "1:9:0"',
    line: /^velora: p\.toml:8:1: phases\[0\]\.slice: step must not be 0, got "1:9:0"$/,
  },
  {
    setting: 'filter = "(django"',
    line:
      /^velora: p\.toml:8:1: phases\[0\]\.filter: not a regular expression: .*, got "\(django"$/,
  },
  {
    setting: 'sample = "shuffle"',
    line:
      /^velora: p\.toml:8:1: phases\[0\]\.sample: expected "first" or "random:<seed>", got "shuffle"$/,
  },
];

for (const c of CASES) {
  Deno.test(`a bad selection setting (${c.setting}) fails when the pipeline loads: exit 2, one line`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "velora-select-" });
    try {
      await Deno.writeTextFile(join(dir, "p.toml"), PIPELINE.replace("SETTING", c.setting));
      const result = await velora(["run", "p.toml"], { cwd: dir });
      assert.equal(result.code, 2, result.stderr);
      const lines = result.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
      assert.match(lines[0]!, c.line);
      assert.doesNotMatch(result.stderr, /SelectionError|\s+at /, "no stack trace");
      assert.deepEqual(await listTree(dir), ["p.toml"], "nothing written");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a bad slice given with --set names the flag: exit 2, one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-select-" });
  try {
    await Deno.writeTextFile(join(dir, "p.toml"), PIPELINE.replace("SETTING", ""));
    const result = await velora(["run", "p.toml", "--set", "infer.slice=a:b"], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      'velora: Cannot apply --set "infer.slice=a:b": expected start:stop[:step] with integers ' +
        '(a Python slice), got "a:b"\n',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
