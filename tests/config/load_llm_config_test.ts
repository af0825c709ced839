import assert from "node:assert/strict";
import { join } from "node:path";
import { loadScript } from "../../src/config/llm_script.ts";
import { llmConfigForMetadata } from "../../src/config/llm_config.ts";
import { loadLlmConfig } from "../../src/config/load_llm_config.ts";
import { modelInfo } from "../../src/config/model_info.ts";
import { ConfigError, EXIT, UsageError } from "../../src/errors.ts";
import { secrets } from "../../src/redact.ts";

const CONFIG = `# OpenHands-style config
[llm]
num_retries = 4
temperature = 0.2
log_completions = true

[llm.gpt]
model = "openai/gpt-4o"
api_key = "\${env.VELORA_TEST_OPENAI_KEY}"
base_url = "http://127.0.0.1:9/v1"
max_output_tokens = 8000
input_cost_per_token = 0.0000025
output_cost_per_token = 0.00001
native_tool_calling = true

[llm.big]
model = "gpt-4o-2024-08-06"
api_key = "sk-literal-key-123456"
max_output_tokens = 32000

[llm.nokey]
model = "gpt-4o"

[llm.typo]
model = "gpt-4o"
api_key = "x"
temprature = 0.5

[llm.demo]
model = "scripted:demo_script.json"

[llm.missing_script]
model = "scripted:nope.json"
`;

const env = (name: string) =>
  ({ VELORA_TEST_OPENAI_KEY: "sk-from-env-abcdef" } as Record<string, string>)[name];

async function withConfig<T>(fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "velora-llm-config-" });
  try {
    const file = join(dir, "config.toml");
    await Deno.writeTextFile(file, CONFIG);
    await Deno.writeTextFile(
      join(dir, "demo_script.json"),
      JSON.stringify([{ tool_calls: [{ name: "finish", arguments: { message: "ok" } }] }]),
    );
    return await fn(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
  assert.equal(error.exitCode, EXIT.usage);
  assert.ok(!error.message.includes("\n"), `one line: ${error.message}`);
  return error;
}

Deno.test("a named section inherits [llm], resolves ${env.X} and records every section's key as a secret", async () => {
  await withConfig(async (file) => {
    const config = await loadLlmConfig(file, "llm.gpt", { env });
    assert.equal(config.name, "llm.gpt");
    assert.equal(config.model, "openai/gpt-4o");
    assert.equal(config.apiKey, "sk-from-env-abcdef");
    assert.equal(config.baseUrl, "http://127.0.0.1:9/v1");
    assert.equal(config.numRetries, 4);
    assert.equal(config.temperature, 0.2);
    assert.equal(config.maxOutputTokens, 8000);
    assert.equal(config.retryMinWait, 8);
    assert.equal(config.retryMaxWait, 64);
    assert.equal(config.maxMessageChars, 30000);
    assert.ok(secrets().has("sk-from-env-abcdef"));
    assert.ok(secrets().has("sk-literal-key-123456"), "the key of a section not in use too");
    assert.equal(secrets().has("x"), false, "a key shorter than 8 characters is not masked");
    assert.equal(llmConfigForMetadata(config).api_key, "**********");
    // "gpt" without the prefix names the same section.
    assert.equal((await loadLlmConfig(file, "gpt", { env })).model, "openai/gpt-4o");
  });
});

Deno.test("an unknown section suggests the closest one", async () => {
  await withConfig(async (file) => {
    const error = await configError(loadLlmConfig(file, "llm.gtp", { env }));
    assert.match(
      error.message,
      /config\.toml: no section \[llm\.gtp\] \(did you mean "llm\.gpt"\?\)/,
    );
    assert.match(error.message, /defined: llm, llm\.gpt, llm\.big/);
  });
});

Deno.test("max_output_tokens above the model's limit names file, line and key", async () => {
  await withConfig(async (file) => {
    const error = await configError(loadLlmConfig(file, "llm.big", { env }));
    assert.equal(
      error.message,
      `${file}:19:1: llm.big.max_output_tokens: 32000 is above the 16384 output tokens model "gpt-4o-2024-08-06" allows`,
    );
  });
});

Deno.test("a missing api_key and an unset environment variable are config errors", async () => {
  await withConfig(async (file) => {
    const missing = await configError(loadLlmConfig(file, "llm.nokey", { env }));
    assert.match(
      missing.message,
      /:21:1: llm\.nokey: missing api_key: set api_key = "\$\{env\.OPENAI_API_KEY\}"/,
    );
    const unset = await configError(loadLlmConfig(file, "llm.gpt", { env: () => undefined }));
    assert.match(
      unset.message,
      /:9:1: llm\.gpt\.api_key: environment variable "VELORA_TEST_OPENAI_KEY" is not set/,
    );
  });
});

Deno.test("a mistyped key gets a suggestion; OpenHands-only keys are accepted", async () => {
  await withConfig(async (file) => {
    const error = await configError(loadLlmConfig(file, "typo", { env }));
    assert.match(
      error.message,
      /:27:1: llm\.typo\.temprature: unknown key "temprature" \(did you mean "temperature"\?\)/,
    );
  });
});

Deno.test("a scripted model resolves its file next to the config and needs no key", async () => {
  await withConfig(async (file) => {
    const config = await loadLlmConfig(file, "llm.demo", { env });
    assert.equal(config.scriptFile, join(file, "..", "demo_script.json"));
    assert.equal(config.apiKey, undefined);
    const error = await configError(loadLlmConfig(file, "llm.missing_script", { env }));
    assert.match(
      error.message,
      /llm\.missing_script\.model: Cannot read model script ".*nope\.json": no such file/,
    );
  });
});

Deno.test("a missing config file is a usage error", async () => {
  await assert.rejects(loadLlmConfig("/nonexistent/config.toml", "llm.gpt"), UsageError);
});

Deno.test("model limits ignore provider prefixes and date suffixes", () => {
  assert.equal(modelInfo("openai/gpt-4o-2024-08-06")?.maxOutputTokens, 16384);
  assert.equal(modelInfo("gpt-4o-mini")?.name, "gpt-4o-mini");
  assert.equal(modelInfo("litellm_proxy/claude-sonnet-4-20250514")?.maxOutputTokens, 64000);
  assert.equal(modelInfo("my-local-model"), undefined);
});

Deno.test("the example scripts in data/scripted/ are valid", async () => {
  const dir = new URL("../../data/scripted/", import.meta.url).pathname;
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".json")) {
      assert.ok((await loadScript(join(dir, entry.name))).length > 0);
    }
  }
});
