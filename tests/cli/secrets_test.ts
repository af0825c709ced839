/**
 * Secrets are masked by name: values of environment variables whose names look secret are `****`
 * in everything velora prints or writes, whether or not the pipeline references them.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { velora } from "../support/velora.ts";

const SECRETS = {
  OPENAI_API_KEY: "sk-proj-FAKE0openai0key0for0velora0tests",
  GITHUB_TOKEN: "ghp_FAKEvelora0github0token0123456789",
  AWS_SECRET_ACCESS_KEY: "FAKE/velora+aws0secret0access0key0ABCDEF",
};
/** Secret by name, but shorter than 8 characters: not masked. */
const SHORT = { VELORA_TEST_SHORT_TOKEN: "abcde" };

const PIPELINE = `name: leak
output_dir: run
phases:
  - name: leak
    kind: shell
    command: >-
      echo "openai=$OPENAI_API_KEY github=$GITHUB_TOKEN short=$VELORA_TEST_SHORT_TOKEN";
      echo "aws=$AWS_SECRET_ACCESS_KEY" >&2
  - name: fails
    kind: shell
    command: ["velora-no-such-program-\${env.GITHUB_TOKEN}"]
`;

/** Every file under `dir`, as text. */
async function* files(dir: string): AsyncGenerator<{ path: string; text: string }> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* files(path);
    else if (entry.isFile) yield { path, text: await Deno.readTextFile(path) };
  }
}

Deno.test("velora masks secret-named environment variables the pipeline never references", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-secrets-" });
  try {
    await Deno.writeTextFile(join(dir, "p.yaml"), PIPELINE);
    const result = await velora(["run", "p.yaml"], { cwd: dir, env: { ...SECRETS, ...SHORT } });
    assert.equal(result.code, 1, "the second phase fails");
    const terminal = result.stdout + result.stderr;
    assert.match(terminal, /openai=\*\*\*\* github=\*\*\*\* short=abcde/);
    assert.match(terminal, /aws=\*\*\*\*/);
    assert.match(terminal, /Cannot run "velora-no-such-program-\*\*\*\*": no such program/);

    const log = await Deno.readTextFile(join(dir, "run", "logs", "leak.log"));
    assert.match(log, /^openai=\*\*\*\* github=\*\*\*\* short=abcde$/m);
    assert.match(log, /^aws=\*\*\*\*$/m);
    const state = await Deno.readTextFile(join(dir, "run", "velora-state.json"));
    assert.match(state, /velora-no-such-program-\*\*\*\*/, "the failed phase's error is masked");

    const leaks: string[] = [];
    for await (const { path, text } of files(join(dir, "run"))) {
      for (const [name, value] of Object.entries(SECRETS)) {
        if (text.includes(value)) leaks.push(`${name} in ${path}`);
      }
    }
    assert.deepEqual(leaks, []);
    for (const value of Object.values(SECRETS)) {
      assert.equal(terminal.includes(value), false, `${value} on the terminal`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const LLM_CONFIG = `[llm.main]
model = "openai/gpt-4o"
api_key = "sk-literal-main-key-0123456789"

[llm.other]
model = "openai/gpt-4o-mini"
api_key = "\${env.VELORA_TEST_LLM_PLAIN}"

[llm.short]
model = "openai/gpt-4o-mini"
api_key = "none"
`;

const LLM_PIPELINE = `name: llm-keys
output_dir: run
phases:
  - name: show
    kind: shell
    command: cat llm.toml; echo "plain=$VELORA_TEST_LLM_PLAIN"
  - name: infer
    kind: infer
    dataset: tasks.jsonl
    config_file: llm.toml
    llm_config: llm.main
`;

Deno.test("velora masks every api_key of the run's LLM config from the start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-secrets-llm-" });
  try {
    await Deno.writeTextFile(join(dir, "p.yaml"), LLM_PIPELINE);
    await Deno.writeTextFile(join(dir, "llm.toml"), LLM_CONFIG);
    // Not a secret by its name: masked because an api_key takes its value.
    const env = { VELORA_TEST_LLM_PLAIN: "plain-looking-llm-key-42" };
    const result = await velora(["run", "p.yaml", "--only", "show"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    const log = await Deno.readTextFile(join(dir, "run", "logs", "show.log"));
    for (const text of [log, result.stderr]) {
      assert.match(text, /^api_key = "\*\*\*\*"$/m);
      assert.match(text, /^plain=\*\*\*\*$/m);
      assert.match(text, /^api_key = "none"$/m, "a short key is not masked");
      assert.equal(text.includes("sk-literal-main-key-0123456789"), false);
      assert.equal(text.includes(env.VELORA_TEST_LLM_PLAIN), false);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
