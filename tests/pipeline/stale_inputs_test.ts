import assert from "node:assert/strict";
import { join } from "node:path";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { readOrEmpty, velora } from "../support/velora.ts";

const ignore = await ignoreWithoutDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
const row = (n: number) => JSON.stringify({ ...demoRow, instance_id: `demo__durations-g${n}` });
const ENV = { RUNTIME_CONTAINER_IMAGE: DEMO_IMAGE };
const OUT = "run/outputs/tasks.jsonl-train/CodeActAgent/scripted_script.json_maxiter_20";

const PIPELINE = `name = "grows"
output_dir = "run"

[[phases]]
kind = "infer"
dataset = "tasks.jsonl"
config_file = "config.toml"
llm_config = "llm.fixture"
num_workers = 2
max_iterations = 20

[[phases]]
kind = "evaluate"
timeout = 120

[[phases]]
kind = "report"
`;

async function setup(): Promise<string> {
  await ensureDemoImage();
  const dir = await Deno.makeTempDir({ prefix: "velora-grows-" });
  await Deno.writeTextFile(join(dir, "tasks.jsonl"), `${row(1)}\n${row(2)}\n`);
  await Deno.copyFile(`${REPO_ROOT}data/demo/scripted_model.json`, join(dir, "script.json"));
  await Deno.writeTextFile(
    join(dir, "config.toml"),
    '[llm.fixture]\nmodel = "scripted:script.json"\n',
  );
  await Deno.writeTextFile(join(dir, "p.toml"), PIPELINE);
  return dir;
}

// deno-lint-ignore no-explicit-any -- rows are parsed JSON
async function rows(dir: string): Promise<Record<string, any>[]> {
  const text = await readOrEmpty(join(dir, OUT, "output.jsonl"));
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

const evaluatedIds = (stderr: string) =>
  [...stderr.matchAll(/(demo__durations-g\d+): resolved:/g)].map((m) => m[1]).sort();

Deno.test({
  name: "a row appended to the dataset: the same pipeline runs and evaluates just that row",
  ignore,
  async fn() {
    const dir = await setup();
    try {
      const first = await velora(["run", "p.toml"], { cwd: dir, env: ENV });
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(evaluatedIds(first.stderr), ["demo__durations-g1", "demo__durations-g2"]);
      const before = await rows(dir);

      const unchanged = await velora(["run", "p.toml"], { cwd: dir, env: ENV });
      assert.equal(unchanged.code, 0, unchanged.stderr);
      assert.match(unchanged.stderr, /infer: done earlier, skipped/);
      assert.match(unchanged.stderr, /evaluate: done earlier, skipped/);

      await Deno.writeTextFile(join(dir, "tasks.jsonl"), `${row(3)}\n`, { append: true });
      const again = await velora(["run", "p.toml"], { cwd: dir, env: ENV });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /infer: .*tasks\.jsonl changed since it ran; running it again/);
      assert.match(again.stderr, /1 instances run \(0 with an error\), 2 had a row already/);
      assert.match(
        again.stderr,
        /evaluate: .*output\.jsonl changed since it ran; running it again/,
      );
      assert.deepEqual(evaluatedIds(again.stderr), ["demo__durations-g3"]);
      assert.match(again.stderr, /report: .*changed since it ran; running it again/);

      const after = await rows(dir);
      assert.deepEqual(after.map((r) => r.instance_id).sort(), [
        "demo__durations-g1",
        "demo__durations-g2",
        "demo__durations-g3",
      ]);
      for (const old of before) {
        const now = after.find((r) => r.instance_id === old.instance_id)!;
        assert.equal(now.test_result.git_patch, old.test_result.git_patch);
      }
      const report = JSON.parse(
        await Deno.readTextFile(join(dir, OUT, "eval_outputs", "report.json")),
      );
      assert.equal(report.resolved_instances, 3, JSON.stringify(report));

      // One instance again, by id, from the command line: the others keep their verdicts.
      const one = await velora([
        "evaluate",
        "--trajectory-file",
        join(OUT, "output.jsonl"),
        "--instance-ids",
        "demo__durations-g2",
        "--force",
        "--workers",
        "2",
      ], { cwd: dir, env: ENV });
      assert.equal(one.code, 0, one.stderr);
      assert.deepEqual(evaluatedIds(one.stderr), ["demo__durations-g2"]);
      assert.match(one.stdout, /3\/3 resolved/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
