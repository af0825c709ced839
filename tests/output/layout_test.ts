import assert from "node:assert/strict";
import { join } from "node:path";
import {
  datasetDescription,
  datasetName,
  legacyOutputDir,
  modelDirName,
  outputDir,
  type OutputNaming,
  resolveOutputDir,
} from "../../src/output/layout.ts";

const naming: OutputNaming = {
  evalOutputDir: "evaluation/outputs",
  dataset: "/home/u/data/tasks.jsonl",
  split: "train",
  agentClass: "CodeActAgent",
  model: "openrouter/meta/llama-4:free",
  maxIterations: 50,
  evalNote: "v1-no-hint-run_1",
};

Deno.test("outputDir() follows OpenHands' rule, with the dataset's file name", () => {
  assert.equal(
    outputDir(naming),
    "evaluation/outputs/tasks.jsonl-train/CodeActAgent/llama-4_free_maxiter_50_N_v1-no-hint-run_1",
  );
  assert.equal(modelDirName("claude-3@2024"), "claude-3-2024");
});

Deno.test("a relative dataset path makes no hidden .. folder", () => {
  assert.equal(datasetName("../tasks.jsonl"), "tasks.jsonl");
  assert.equal(datasetName("data/sub/tasks.jsonl"), "tasks.jsonl");
  assert.equal(datasetName("tasks.jsonl"), "tasks.jsonl");
  assert.equal(datasetDescription("../tasks.jsonl", "train"), "tasks.jsonl-train");
  assert.equal(datasetDescription("t.jsonl", "a/b"), "t.jsonl-a__b");
  assert.equal(
    outputDir({ ...naming, dataset: "../tasks.jsonl", evalNote: "" }),
    "evaluation/outputs/tasks.jsonl-train/CodeActAgent/llama-4_free_maxiter_50",
  );
});

Deno.test("resolveOutputDir() goes on in a run folder named the old way", async () => {
  const root = await Deno.makeTempDir({ prefix: "velora-layout-" });
  try {
    const here = { ...naming, evalOutputDir: root };
    const legacy = legacyOutputDir(here);
    assert.equal(
      legacy,
      join(root, "__home__u__data__tasks.jsonl-train/CodeActAgent") +
        "/llama-4_free_maxiter_50_N_v1-no-hint-run_1",
    );
    assert.equal(await resolveOutputDir(here), outputDir(here), "nothing yet: the new name");
    await Deno.mkdir(legacy, { recursive: true });
    await Deno.writeTextFile(join(legacy, "output.jsonl"), "");
    assert.equal(await resolveOutputDir(here), legacy, "an old run goes on where it is");
    await Deno.mkdir(outputDir(here), { recursive: true });
    await Deno.writeTextFile(join(outputDir(here), "output.jsonl"), "");
    assert.equal(await resolveOutputDir(here), outputDir(here));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
