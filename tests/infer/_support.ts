/**
 * Helpers of the per-instance infer tests: one demo instance run through `processInstance` in a
 * real sandbox, with the real `openai` client talking to the fake server on 127.0.0.1.
 *
 * @module
 */
import {
  type InferSettings,
  type OutputRow,
  processInstance,
} from "../../src/infer/process_instance.ts";
import { toInstance } from "../../src/dataset/formats/mod.ts";
import { reap } from "../../src/docker/containers.ts";
import { call, FakeOpenAI, type FakeStep, reply } from "../fakes/fake_openai.ts";
import { TEST_API_KEY, testLlmConfig } from "../agent/_support.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { testDocker, uniqueRunLabel } from "../support/docker.ts";
import { DockerBackend } from "../../src/runtime/docker_backend.ts";

/** The demo row (data/demo/tasks.jsonl). */
export const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));

/** Where `prepareWorkspace` puts the demo repository. */
export const WORKSPACE = "/workspace/demo__durations__0.1";

/** A bash tool call. */
export const bash = (command: string): FakeStep =>
  reply({ tool_calls: [call("execute_bash", { command })] });

/** The editor call that fixes the demo bug. */
export const fix = (): FakeStep =>
  reply({
    tool_calls: [call("str_replace_editor", {
      command: "str_replace",
      path: `${WORKSPACE}/durations/__init__.py`,
      old_str: "        total = int(match.group(1)) * _UNITS[match.group(2)]",
      new_str: "        total += int(match.group(1)) * _UNITS[match.group(2)]",
    })],
  });

/** The finish call. */
export const finish = (): FakeStep =>
  reply({ tool_calls: [call("finish", { message: "Fixed." })] });

/** Matches the fix in a `git_patch`. */
export const FIXED = /^\+ {8}total \+= int\(match\.group\(1\)\) \* _UNITS/m;

/** What the fake server charges per reply with the test config (100 in, 20 out tokens). */
export const COST_PER_CALL = 100 * 0.000002 + 20 * 0.00001;

/** The row, the log lines, and how many completions the fake server answered. */
export interface InstanceRun {
  row: OutputRow;
  log: string[];
  calls: number;
}

/** Runs the demo instance once through `processInstance` against a scripted fake server. */
export async function runDemoInstance(
  script: FakeStep[],
  settings: Partial<InferSettings> = {},
): Promise<InstanceRun> {
  await ensureDemoImage();
  await using server = FakeOpenAI.start(script, { apiKey: TEST_API_KEY });
  const outDir = await Deno.makeTempDir({ prefix: "velora-instance-" });
  const runLabel = uniqueRunLabel("instance");
  const docker = testDocker();
  const log: string[] = [];
  try {
    const row = await processInstance({
      instance: toInstance(demoRow),
      image: DEMO_IMAGE,
      instruction: "Fix parse_duration.",
      settings: {
        agentClass: "CodeActAgent",
        llm: testLlmConfig(server.url),
        maxIterations: 20,
        timeoutSeconds: 300,
        maxRetries: 0,
        retryDelaySeconds: 0,
        sandboxTimeout: 120,
        noChangeTimeoutSeconds: 2,
        ...settings,
      },
      outDir,
      metadata: {},
      runLabel,
      backend: new DockerBackend(docker),
      signal: new AbortController().signal,
      log: (line) => log.push(line),
    });
    return { row, log, calls: server.bodies.length };
  } finally {
    await reap(docker, runLabel);
    await Deno.remove(outDir, { recursive: true });
  }
}
