import assert from "node:assert/strict";
import type { LlmConfig } from "../../src/config/llm_config.ts";
import { buildMetadata, pythonLocalTime } from "../../src/output/metadata.ts";
import { commit } from "../../src/version.ts";

const llm: LlmConfig = {
  name: "llm.eval",
  model: "openai/gpt-4o",
  apiKey: "sk-secret",
  temperature: 0,
  topP: 1,
  numRetries: 5,
  retryMinWait: 8,
  retryMaxWait: 64,
  retryMultiplier: 8,
  maxMessageChars: 30000,
  dropParams: true,
} as LlmConfig;

Deno.test("metadata.json has every field OpenHands' EvalMetadata requires", () => {
  const metadata = buildMetadata({
    agentClass: "CodeActAgent",
    llm,
    maxIterations: 30,
    outputDir: "/runs/r/outputs/tasks.jsonl-train/CodeActAgent/gpt-4o_maxiter_30",
    datasetDescription: "tasks.jsonl-train",
    split: "train",
    startTime: new Date(2025, 0, 2, 3, 4, 5),
  });
  assert.equal(metadata.agent_class, "CodeActAgent");
  assert.equal(metadata.max_iterations, 30);
  assert.equal(
    metadata.eval_output_dir,
    "/runs/r/outputs/tasks.jsonl-train/CodeActAgent/gpt-4o_maxiter_30",
  );
  assert.equal(metadata.start_time, "2025-01-02 03:04:05");
  assert.equal(metadata.git_commit, commit());
  assert.ok(typeof metadata.git_commit === "string" && metadata.git_commit.length > 0);
  assert.equal(metadata.dataset, "tasks.jsonl-train");
  const config = metadata.llm_config as Record<string, unknown>;
  assert.equal(config.model, "openai/gpt-4o");
  assert.equal(config.api_key, "**********");
  assert.ok(!JSON.stringify(metadata).includes("sk-secret"));
  assert.deepEqual(metadata.condenser_config, { type: "noop" });
});

Deno.test("an agent without a model still gets an llm_config (OpenHands requires one)", () => {
  const metadata = buildMetadata({
    agentClass: "DummyAgent",
    maxIterations: 10,
    outputDir: "/o",
    datasetDescription: "t.jsonl-train",
    split: "train",
  });
  assert.deepEqual(metadata.llm_config, { model: "none", api_key: null, log_completions: false });
});

Deno.test("pythonLocalTime is time.strftime('%Y-%m-%d %H:%M:%S')", () => {
  assert.equal(pythonLocalTime(new Date(2024, 11, 31, 23, 59, 9)), "2024-12-31 23:59:09");
});
