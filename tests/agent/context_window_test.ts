/**
 * Context-window errors (OpenAI's 400 `context_length_exceeded`) against the fake server: the
 * history is condensed and the episode goes on where that helps; otherwise the episode ends
 * with a `ContextWindowExceededError`, never as a stuck loop.
 */
import assert from "node:assert/strict";
import { runEpisode } from "../../src/agent/controller.ts";
import { type ActionEventDict, type EventDict, isAction } from "../../src/agent/events.ts";
import {
  call,
  contextLengthError,
  FakeOpenAI,
  type FakeStep,
  reply,
} from "../fakes/fake_openai.ts";
import { FakeRuntime, TEST_API_KEY, testLlmConfig } from "./_support.ts";

const bash = (command: string) => reply({ tool_calls: [call("execute_bash", { command })] });
const finish = () => reply({ tool_calls: [call("finish", { message: "Done." })] });
const condensations = (history: EventDict[]) =>
  history.filter((e): e is ActionEventDict => isAction(e) && e.action === "condensation");

async function episode(script: FakeStep[]) {
  await using server = FakeOpenAI.start(script, { apiKey: TEST_API_KEY });
  const lines: string[] = [];
  const result = await runEpisode({
    agentClass: "CodeActAgent",
    llm: testLlmConfig(server.url),
    instruction: "Fix the bug in /workspace/repo.",
    runtime: new FakeRuntime(),
    instance: { instanceId: "demo-1", workspaceDir: "/workspace/repo" },
    limits: { maxIterations: 30 },
    log: (line) => lines.push(line),
  });
  return { result, calls: server.bodies.length, lines };
}

const CONTEXT_ERROR =
  /^ContextWindowExceededError: 400 This model's maximum context length is 128000 tokens/;

Deno.test("context-length error on every call: ContextWindowExceededError, not a stuck loop", async () => {
  const steps = [1, 2, 3, 4, 5, 6].map((n) => bash(`echo ${n}`));
  const always = Array.from({ length: 20 }, contextLengthError);
  const { result, calls, lines } = await episode([...steps, ...always]);
  assert.equal(result.state, "error");
  assert.match(result.lastError ?? "", CONTEXT_ERROR);
  assert.doesNotMatch(result.lastError ?? "", /AgentStuckInLoopError/);
  assert.deepEqual(result.exit, { reason: "llm_error", detail: "context_window" });
  assert.equal(condensations(result.history).length, 1, "condensed once, then gave up");
  assert.equal(calls, 8, "six replies, the failed call, one more after condensing");
  assert.ok(lines.includes("Context window still exceeded after condensing the history"));
});

Deno.test("context-length error on the first call (nothing to condense): ContextWindowExceededError", async () => {
  const { result, calls } = await episode([contextLengthError(), finish()]);
  assert.match(result.lastError ?? "", CONTEXT_ERROR);
  assert.deepEqual(result.exit, { reason: "llm_error", detail: "context_window" });
  assert.equal(condensations(result.history).length, 0);
  assert.equal(calls, 1);
});

Deno.test("context-length errors apart from each other condense each time; the episode finishes", async () => {
  const steps = (from: number) => [0, 1, 2, 3, 4, 5].map((n) => bash(`echo ${from + n}`));
  const { result, calls } = await episode([
    ...steps(1),
    contextLengthError(),
    ...steps(7),
    contextLengthError(),
    bash("echo 13"),
    finish(),
  ]);
  assert.equal(result.state, "finished", result.lastError ?? "");
  assert.equal(result.lastError, null);
  assert.equal(condensations(result.history).length, 2);
  assert.equal(calls, 16);
});
