/**
 * Issue 15: every attempt's LLM calls are paid, so every attempt's cost is counted: a retried
 * attempt's metrics are added into the row's, and into the error row when retries run out
 * (the phase adds `metrics.accumulated_cost` of each row up for `max_cost`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TEST_API_KEY } from "../agent/_support.ts";
import { FakeOpenAI } from "../fakes/fake_openai.ts";
import { ensureDemoImage } from "../support/demo_image.ts";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { velora } from "../support/velora.ts";
import { bash, COST_PER_CALL, demoRow, finish, fix, FIXED, runDemoInstance } from "./_support.ts";

const ignore = await ignoreWithoutDocker();

/** The agent kills the runtime server (its shell's grandparent): the attempt fails mid-episode. */
const crashRuntime = () => bash("kill -9 $(ps -o ppid= -p $PPID)");

Deno.test({
  name: "a retried attempt's LLM cost is added into the row's metrics",
  ignore,
  async fn() {
    const { row, log, calls } = await runDemoInstance(
      [bash("ls"), crashRuntime(), fix(), finish()],
      { maxRetries: 1 },
    );
    assert.equal(row.error, null, log.join("\n"));
    assert.match(row.test_result.git_patch ?? "", FIXED);
    assert.ok(log.some((l) => /^Runtime failed: /.test(l)), log.join("\n"));
    assert.equal(calls, 4);
    const metrics = row.metrics!;
    assert.equal(metrics.costs.length, 4, "two calls of the failed attempt, two of the last");
    assert.ok(Math.abs(metrics.accumulated_cost - 4 * COST_PER_CALL) < 1e-12);
    assert.equal(metrics.accumulated_token_usage.prompt_tokens, 400);
    assert.equal(metrics.token_usages.length, 4);
    assert.equal(metrics.response_latencies.length, 4);
  },
});

Deno.test({
  name: "retries exhausted: the error row carries the cost of every attempt",
  ignore,
  async fn() {
    const { row, log, calls } = await runDemoInstance(
      [crashRuntime(), crashRuntime()],
      { maxRetries: 1 },
    );
    assert.match(row.error ?? "", /^AgentRuntimeError: Maximum retries \(1\) reached/);
    assert.equal(calls, 2, log.join("\n"));
    assert.equal(row.metrics!.costs.length, 2);
    assert.ok(Math.abs(row.metrics!.accumulated_cost - 2 * COST_PER_CALL) < 1e-12);
  },
});

Deno.test({
  name: "max_budget_per_task counts what earlier attempts spent",
  ignore,
  async fn() {
    // The first attempt spends two calls; the budget is reached after one call of the second.
    const { row, log, calls } = await runDemoInstance(
      [bash("ls"), crashRuntime(), fix(), finish()],
      { maxRetries: 1, maxBudgetPerTask: 2.5 * COST_PER_CALL },
    );
    assert.match(row.error ?? "", /^RuntimeError: Agent reached maximum budget/, log.join("\n"));
    assert.equal(calls, 3);
    assert.match(row.test_result.git_patch ?? "", FIXED, "the work done is still collected");
  },
});

Deno.test({
  name: "max_cost sees the cost of retried attempts: no new instance after a costly error row",
  ignore,
  async fn() {
    await ensureDemoImage();
    await using server = FakeOpenAI.start([crashRuntime(), crashRuntime()], {
      apiKey: TEST_API_KEY,
    });
    const dir = await Deno.makeTempDir({ prefix: "velora-max-cost-" });
    try {
      const rows = ["first", "second"].map((id) => ({ ...demoRow, instance_id: id }));
      await Deno.writeTextFile(
        join(dir, "tasks.jsonl"),
        rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
      );
      await Deno.writeTextFile(
        join(dir, "config.toml"),
        `[llm.fake]\nmodel = "openai/gpt-4o"\napi_key = "${TEST_API_KEY}"\n` +
          `base_url = "${server.url}"\nnum_retries = 0\n` +
          `input_cost_per_token = 0.000002\noutput_cost_per_token = 0.00001\n`,
      );
      // One call costs $0.0004: only the retried attempt's call brings the row to max_cost.
      await Deno.writeTextFile(
        join(dir, "p.toml"),
        `name = "max-cost"\noutput_dir = "run"\n[[phases]]\nkind = "infer"\n` +
          `dataset = "tasks.jsonl"\nllm_config = "llm.fake"\nmax_iterations = 5\n` +
          `max_retries = 1\nretry_delay = 0\nmax_cost = 0.0006\n`,
      );
      const result = await velora(["run", "p.toml"], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /max_cost \$0\.0006 reached \(\$0\.0008\): no new instances/);
      const out = join(dir, "run/outputs/tasks.jsonl-train/CodeActAgent/gpt-4o_maxiter_5");
      const written = (await Deno.readTextFile(join(out, "output.jsonl"))).trim().split("\n")
        .map((line) => JSON.parse(line));
      assert.deepEqual(written.map((r) => r.instance_id), ["first"]);
      assert.match(written[0].error, /^AgentRuntimeError: Maximum retries \(1\) reached/);
      assert.equal(server.bodies.length, 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
