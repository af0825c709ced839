/**
 * Issue 15: a context-length error (OpenAI's 400 `context_length_exceeded`) condenses the
 * history and the episode goes on; when every call fails that way the row's error is a
 * `ContextWindowExceededError` (not `AgentStuckInLoopError`), and the work done is kept.
 */
import assert from "node:assert/strict";
import { isAction } from "../../src/agent/events.ts";
import { isInfrastructureError } from "../../src/infer/process_instance.ts";
import { contextLengthError } from "../fakes/fake_openai.ts";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { bash, finish, fix, FIXED, runDemoInstance } from "./_support.ts";

const ignore = await ignoreWithoutDocker();

Deno.test({
  name: "a context-length error once: the history is condensed and the episode finishes",
  ignore,
  async fn() {
    const { row, log, calls } = await runDemoInstance([
      bash("ls"),
      bash("git status"),
      fix(),
      contextLengthError(),
      bash("python3 -m pytest -q -p no:cacheprovider tests"),
      finish(),
    ]);
    assert.equal(row.error, null, log.join("\n"));
    assert.match(row.test_result.git_patch ?? "", FIXED);
    assert.equal(calls, 6);
    const condensations = row.history!.filter((e) => isAction(e) && e.action === "condensation");
    assert.equal(condensations.length, 1);
    const last = row.history!.at(-1)!;
    assert.ok(isAction(last) && last.action === "finish");
  },
});

Deno.test({
  name: "a context-length error on every call: the row error is ContextWindowExceededError",
  ignore,
  async fn() {
    const { row, log, calls } = await runDemoInstance([
      bash("ls"),
      bash("git status"),
      bash("cat durations/__init__.py"),
      fix(),
      ...Array.from({ length: 30 }, contextLengthError),
    ], { maxRetries: 2 });
    assert.match(
      row.error ?? "",
      /^ContextWindowExceededError: 400 This model's maximum context length is 128000 tokens/,
      log.join("\n"),
    );
    assert.doesNotMatch(row.error ?? "", /AgentStuckInLoopError/);
    assert.ok(!isInfrastructureError(row.error), "not retried: it is the episode's own result");
    assert.equal(calls, 6, "four replies, the failed call, one more after condensing");
    assert.match(row.test_result.git_patch ?? "", FIXED, "the fix made before is kept");
  },
});
