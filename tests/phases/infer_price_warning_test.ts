/**
 * The infer phase warns once, as it starts, when a cost limit is set but the model has no price
 * (not in the price list, no per-token prices configured): its calls would count $0.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PhaseFailedError } from "../../src/errors.ts";
import { inferPhase } from "../../src/phases/infer.ts";
import { runKind } from "../../src/pipeline/run_kind.ts";
import { REPO_ROOT } from "../support/demo_image.ts";

/** Runs the phase on the demo row with an image that is not loaded: it fails after starting. */
async function startInfer(llmSection: string, limits: Record<string, number>): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "velora-price-warning-" });
  try {
    await Deno.copyFile(join(REPO_ROOT, "data/demo/tasks.jsonl"), join(dir, "tasks.jsonl"));
    await Deno.writeTextFile(join(dir, "config.toml"), `[llm.x]\n${llmSection}\n`);
    const lines: string[] = [];
    const run = runKind(inferPhase, {
      dataset: join(dir, "tasks.jsonl"),
      config_file: join(dir, "config.toml"),
      llm_config: "llm.x",
      image: "velora-no-such-image:price-warning",
      eval_output_dir: join(dir, "out"),
      ...limits,
    }, {
      signal: new AbortController().signal,
      log: (line) => lines.push(line),
      result: (line) => lines.push(line),
      env: () => undefined,
    });
    // It got past the start: the image is the first thing missing (or the engine, without one).
    await assert.rejects(run, PhaseFailedError);
    return lines.filter((l) => l.startsWith("warning:"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("infer: an unpriced model with a cost limit gets one warning as the phase starts", async () => {
  const warnings = await startInfer(
    'model = "litellm_proxy/my-local-model"\napi_key = "k"',
    { max_cost: 5, max_budget_per_task: 1 },
  );
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(
    warnings[0]!,
    /^warning: model "litellm_proxy\/my-local-model" has no price .*\[llm\.x\] sets no input_cost_per_token\/output_cost_per_token\): its calls count \$0 towards max_cost and max_budget_per_task/,
  );
});

Deno.test("infer: no price warning for a listed model, configured prices, or no cost limit", async () => {
  const cases: [string, Record<string, number>][] = [
    ['model = "anthropic/claude-sonnet-4-5"\napi_key = "k"', { max_cost: 5 }],
    [
      'model = "my-local-model"\napi_key = "k"\ninput_cost_per_token = 1e-6\noutput_cost_per_token = 2e-6',
      { max_budget_per_task: 1 },
    ],
    ['model = "my-local-model"\napi_key = "k"', {}],
  ];
  for (const [section, limits] of cases) {
    assert.deepEqual(await startInfer(section, limits), [], section);
  }
});
