/**
 * OpenHands' own models load velora's output: a real infer run (the scripted model on the demo
 * image, one instance that finishes and one whose image is missing) writes `metadata.json` and
 * `output.jsonl`, and OpenHands 0.62's `EvalMetadata` and `EvalOutput` (vendored from its
 * evaluation/utils/shared.py in tests/peer/openhands_eval_shared.py) validate them. Every key
 * velora writes must be a field of the model and come back from it unchanged; every history event
 * must load with OpenHands' `event_from_dict`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { velora } from "../support/velora.ts";
import { peerPython, skipPeer } from "./_venv.ts";

const PEER_DIR = new URL(".", import.meta.url).pathname;

const CHECK = `
import json, sys
sys.path.insert(0, ${JSON.stringify(PEER_DIR)})
from openhands_eval_shared import EvalMetadata, EvalOutput
from openhands.events.serialization.event import event_from_dict

paths = json.load(sys.stdin)
problems = []


def same(where, written, model):
    """Every key velora wrote is a field of the model and comes back unchanged."""
    dumped = model.model_dump(mode='json')
    for key, value in written.items():
        if key not in type(model).model_fields:
            problems.append(f'{where}: {key} is not a field of {type(model).__name__}')
        elif key == 'llm_config':
            for k, v in value.items():
                if dumped[key].get(k, '<absent>') != v:
                    problems.append(f'{where}: llm_config.{k} {v!r} loads as {dumped[key].get(k)!r}')
        elif key == 'metadata' and value is not None:
            same(f'{where}.metadata', value, model.metadata)
        elif dumped[key] != value:
            problems.append(f'{where}: {key} {value!r} loads as {dumped[key]!r}')


with open(paths['metadata']) as f:
    written = json.load(f)
same('metadata.json', written, EvalMetadata.model_validate(written))
rows = 0
with open(paths['output']) as f:
    for line in f:
        row = json.loads(line)
        rows += 1
        where = f"output.jsonl {row.get('instance_id')}"
        same(where, row, EvalOutput.model_validate_json(line))
        for i, event in enumerate(row.get('history') or []):
            try:
                event_from_dict(dict(event))
            except Exception as e:
                problems.append(f'{where}: history[{i}] does not load: {type(e).__name__}: {e}')
print(json.dumps({'rows': rows, 'problems': problems}))
`;

Deno.test({
  name: "peer: OpenHands' EvalMetadata and EvalOutput load a real run's metadata.json and rows",
  ignore: (await skipPeer()) || (await ignoreWithoutDocker()),
  async fn() {
    await ensureDemoImage();
    const dir = await Deno.makeTempDir({ prefix: "velora-peer-output-" });
    try {
      const demo = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
      const missing = { ...demo, instance_id: "demo__missing-1", repo: "demo/missing" };
      await Deno.writeTextFile(
        join(dir, "tasks.jsonl"),
        `${JSON.stringify(demo)}\n${JSON.stringify(missing)}\n`,
      );
      const work = join(dir, "work");
      await Deno.mkdir(work);
      await Deno.copyFile(`${REPO_ROOT}data/demo/scripted_model.json`, join(work, "script.json"));
      await Deno.writeTextFile(
        join(work, "config.toml"),
        '[llm.fixture]\nmodel = "scripted:script.json"\napi_key = "sk-peer-secret"\n',
      );
      await Deno.writeTextFile(
        join(work, "p.toml"),
        `name = "peer-output"
output_dir = "run"

[[phases]]
kind = "infer"
dataset = "../tasks.jsonl"
config_file = "config.toml"
llm_config = "llm.fixture"
image = "${DEMO_IMAGE.replace("durations", "{repo}")}"
max_iterations = 20
retry_delay = 0
`,
      );
      const result = await velora(["run", "p.toml"], { cwd: work });
      assert.equal(result.code, 0, result.stderr);
      const out = join(
        work,
        "run/outputs/tasks.jsonl-train/CodeActAgent/scripted_script.json_maxiter_20",
      );
      const metadata = JSON.parse(await Deno.readTextFile(join(out, "metadata.json")));
      assert.equal(metadata.eval_output_dir, out, "the run folder, as OpenHands sets it");
      assert.equal(metadata.dataset, "tasks.jsonl-train");
      assert.equal(metadata.agent_class, "CodeActAgent");
      assert.equal(metadata.max_iterations, 20);
      assert.match(metadata.start_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.ok(typeof metadata.git_commit === "string" && metadata.git_commit !== "");
      assert.equal(metadata.llm_config.model, "scripted:script.json");
      assert.equal(metadata.llm_config.api_key, "**********");
      const text = await Deno.readTextFile(join(out, "output.jsonl"));
      assert.ok(!text.includes("sk-peer-secret"));
      const errors = text.trim().split("\n").map((line) => JSON.parse(line).error);
      assert.deepEqual(errors.map((e) => e === null ? null : e.split(":")[0]).sort(), [
        "ImageMissing",
        null,
      ]);

      const report = JSON.parse(
        await peerPython(
          CHECK,
          JSON.stringify({
            metadata: join(out, "metadata.json"),
            output: join(out, "output.jsonl"),
          }),
        ),
      );
      assert.equal(report.rows, 2);
      assert.deepEqual(report.problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
