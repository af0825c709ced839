import assert from "node:assert/strict";
import { PHASE_KINDS } from "../../src/phases/mod.ts";
import { loadPipeline } from "../../src/pipeline/load.ts";

const DIR = new URL("../../pipelines/", import.meta.url);
const ENV: Record<string, string> = { DATASET: "tasks.jsonl", TRAJECTORIES: "output.jsonl" };

Deno.test("every pipeline in pipelines/ is valid and plans its phases", async () => {
  const names: string[] = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (entry.name.endsWith(".toml")) names.push(entry.name);
  }
  assert.ok(names.length >= 4, names.join(", "));
  for (const name of names) {
    const plan = await loadPipeline(new URL(name, DIR).pathname, PHASE_KINDS, {
      env: (k) => ENV[k],
    });
    assert.ok(plan.phases.length > 0, name);
  }
});

Deno.test("full_eval.toml takes run_full_eval.sh's settings through --set, typed", async () => {
  const plan = await loadPipeline(new URL("full_eval.toml", DIR).pathname, PHASE_KINDS, {
    env: (k) => ({ ...ENV, MODEL_CONFIG: "llm.eval_gpt4o" })[k],
    overrides: ["defaults.eval_limit=50", "defaults.num_workers=4"],
  });
  assert.deepEqual(plan.phases.map((p) => p.kind), [
    "preflight",
    "load-images",
    "infer",
    "evaluate",
    "cleanup-images",
  ]);
  const infer = plan.phases[2]!.params;
  assert.equal(infer.eval_n_limit, 50);
  assert.equal(infer.num_workers, 4);
  assert.equal(infer.llm_config, "llm.eval_gpt4o");
  assert.equal(infer.dataset, "tasks.jsonl");
});
