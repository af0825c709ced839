/**
 * Helpers of the agent tests: an LLM config pointed at the fake OpenAI server with fast retries,
 * and a fake runtime that answers actions from a function.
 *
 * @module
 */
import type { LlmConfig } from "../../src/config/llm_config.ts";
import { addSecrets } from "../../src/redact.ts";
import type { ActionEvent, Observation } from "../../src/runtime/protocol.ts";

/** A recognisable API key: no file a run writes may contain it. */
export const TEST_API_KEY = "sk-velora-test-KEY-5f3a9c1e7b";
// The key of every config velora loads is a secret of the process (`redact.ts`).
addSecrets([TEST_API_KEY]);

/** An LLM config for the fake server at `baseUrl`, with millisecond retry waits. */
export function testLlmConfig(baseUrl: string, overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    name: "llm.test",
    model: "openai/gpt-4o",
    apiKey: TEST_API_KEY,
    baseUrl,
    temperature: 0,
    topP: 1,
    numRetries: 3,
    retryMinWait: 0.005,
    retryMaxWait: 0.02,
    retryMultiplier: 0.005,
    timeout: 20,
    inputCostPerToken: 0.000002,
    outputCostPerToken: 0.00001,
    dropParams: true,
    maxMessageChars: 30000,
    ...overrides,
  };
}

/** A `run` observation as the runtime server sends it. */
export function runObservation(command: string, content: string, exitCode = 0): Observation {
  return {
    message: `Command \`${command}\` executed with exit code ${exitCode}.`,
    observation: "run",
    content,
    extras: {
      command,
      hidden: false,
      metadata: {
        exit_code: exitCode,
        pid: -1,
        username: "root",
        hostname: "fake",
        working_dir: "/workspace",
        py_interpreter_path: "",
        prefix: "",
        suffix: `\n[The command completed with exit code ${exitCode}.]`,
      },
    },
    success: exitCode === 0,
  };
}

/** A runtime that answers each action with `answer(action)` and records the actions. */
export class FakeRuntime {
  readonly actions: ActionEvent[] = [];

  constructor(
    readonly answer: (action: ActionEvent) => Observation | Promise<Observation> = (action) =>
      runObservation(String(action.args.command ?? ""), "ok"),
  ) {}

  async execute(action: ActionEvent): Promise<Observation> {
    this.actions.push(structuredClone(action));
    return await this.answer(action);
  }
}

/** Every file under `dir`, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await filesUnder(path));
    else if (entry.isFile) out.push(path);
  }
  return out;
}
