/**
 * Pricing a completion: the server's reported cost, else the configured per-token prices, else
 * the built-in price list (every model of which prices a call), found under provider prefixes
 * and version suffixes; cached prompt tokens and long-context tiers.
 */
import assert from "node:assert/strict";
import { completionCost, hasPrice } from "../../src/agent/llm/cost.ts";
import type { LlmConfig } from "../../src/config/llm_config.ts";
import { KNOWN_MODELS, modelInfo } from "../../src/config/model_info.ts";

function config(model: string, overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    name: "llm.test",
    model,
    apiKey: "k",
    temperature: 0,
    topP: 1,
    numRetries: 0,
    retryMinWait: 0,
    retryMaxWait: 0,
    retryMultiplier: 0,
    dropParams: true,
    maxMessageChars: 30000,
    ...overrides,
  };
}

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} vs ${expected}`);

Deno.test("price list: every model prices a call above 0, cached input no dearer than input", () => {
  assert.ok(KNOWN_MODELS.length >= 60, `${KNOWN_MODELS.length} models`);
  for (const info of KNOWN_MODELS) {
    const llm = config(`litellm_proxy/${info.name}`);
    assert.equal(modelInfo(llm.model)?.name, info.name, "found by its own name");
    assert.ok(hasPrice(llm), info.name);
    const plain = completionCost(llm, { promptTokens: 1000, completionTokens: 100 });
    assert.ok(plain > 0, `${info.name} costs ${plain}`);
    const cached = completionCost(llm, {
      promptTokens: 1000,
      completionTokens: 100,
      cachedTokens: 900,
    });
    assert.ok(cached > 0 && cached <= plain + 1e-15, `${info.name}: cached ${cached} vs ${plain}`);
    assert.ok(info.inputCostPerToken! <= info.outputCostPerToken!, `${info.name}: output dearer`);
    assert.ok(info.maxOutputTokens <= info.maxInputTokens, info.name);
    if (info.longContext) {
      const long = info.longContext.aboveTokens + 1;
      assert.ok(
        completionCost(llm, { promptTokens: long, completionTokens: 0 }) >
          long * info.inputCostPerToken!,
        `${info.name}: long prompts cost more`,
      );
    }
  }
});

Deno.test("price list: the providers' families are all there", () => {
  const families = [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "o1",
    "o3",
    "o3-mini",
    "o4-mini",
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "claude-3-5-sonnet",
    "claude-3-7-sonnet",
    "claude-sonnet-4",
    "claude-sonnet-4-5",
    "claude-opus-4",
    "claude-opus-4-1",
    "claude-3-5-haiku",
    "claude-haiku-4-5",
    "gemini-1.5-pro",
    "gemini-1.5-flash",
    "gemini-2.0-flash",
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "deepseek-chat",
    "deepseek-reasoner",
    "deepseek-v3",
    "deepseek-r1",
    "mistral-large",
    "mistral-medium",
    "mistral-small",
    "codestral",
    "devstral-small",
    "devstral-medium",
  ];
  const names = new Set(KNOWN_MODELS.map((m) => m.name));
  assert.deepEqual(families.filter((f) => !names.has(f)), []);
});

Deno.test("price list: known models are found under provider prefixes and version suffixes", () => {
  const cases: [string, string | undefined][] = [
    ["anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"],
    ["litellm_proxy/anthropic/claude-sonnet-4-5-20250929", "claude-sonnet-4-5"],
    ["litellm_proxy/claude-sonnet-4-20250514", "claude-sonnet-4"],
    ["claude-3-7-sonnet-latest", "claude-3-7-sonnet"],
    ["bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"],
    ["vertex_ai/claude-opus-4-1@20250805", "claude-opus-4-1"],
    ["openrouter/anthropic/claude-3.5-sonnet", "claude-3-5-sonnet"],
    ["anthropic/claude-haiku-4-5-20251001", "claude-haiku-4-5"],
    ["openai/gpt-4o-2024-08-06", "gpt-4o"],
    ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
    ["openai/gpt-4.1-2025-04-14", "gpt-4.1"],
    ["gpt-4-1-mini", "gpt-4.1-mini"],
    ["openai/o3-mini-2025-01-31", "o3-mini"],
    ["o3-2025-04-16", "o3"],
    ["litellm_proxy/gpt-5-2025-08-07", "gpt-5"],
    ["openai/gpt-5.1", "gpt-5.1"],
    ["gpt-4-0613", "gpt-4"],
    ["gemini/gemini-2.5-pro-preview-05-06", "gemini-2.5-pro"],
    ["vertex_ai/gemini-1.5-pro-002", "gemini-1.5-pro"],
    ["gemini/gemini-2.5-flash-lite", "gemini-2.5-flash-lite"],
    ["gemini-2.0-flash-exp", "gemini-2.0-flash"],
    ["deepseek/deepseek-reasoner", "deepseek-reasoner"],
    ["together_ai/deepseek-ai/DeepSeek-R1", "deepseek-r1"],
    ["deepseek/deepseek-r1-0528", "deepseek-r1"],
    ["fireworks_ai/deepseek-v3-0324", "deepseek-v3"],
    ["mistral/mistral-large-latest", "mistral-large"],
    ["mistral/mistral-large-2512", "mistral-large-2512"],
    ["mistral/devstral-small-2507", "devstral-small"],
    ["mistral/codestral-2501", "codestral"],
    ["gpt-4o-mini-tts", undefined],
    ["gpt-5-2", "gpt-5.2"],
    ["my-local-model", undefined],
    ["claude-sonnet-4-5-thinking-extra", undefined],
  ];
  for (const [model, family] of cases) assert.equal(modelInfo(model)?.name, family, model);
});

Deno.test("cost: configured per-token prices win over the list, each key on its own", () => {
  const tokens = { promptTokens: 1000, completionTokens: 100 };
  const both = config("anthropic/claude-sonnet-4-5", {
    inputCostPerToken: 1e-3,
    outputCostPerToken: 2e-3,
  });
  close(completionCost(both, tokens), 1000 * 1e-3 + 100 * 2e-3);
  const inputOnly = config("anthropic/claude-sonnet-4-5", { inputCostPerToken: 1e-3 });
  close(completionCost(inputOnly, tokens), 1000 * 1e-3 + 100 * 15e-6);
  // A configured input price also prices cached tokens (the list's cache discount is not mixed in).
  close(completionCost(both, { ...tokens, cachedTokens: 500 }), 1000 * 1e-3 + 100 * 2e-3);
  const unknown = config("my-local-model", { inputCostPerToken: 1e-6, outputCostPerToken: 2e-6 });
  assert.ok(hasPrice(unknown));
  close(completionCost(unknown, tokens), 1000 * 1e-6 + 100 * 2e-6);
});

Deno.test("cost: the server's reported cost wins; an unknown model without prices costs 0", () => {
  const tokens = { promptTokens: 1000, completionTokens: 100 };
  assert.equal(completionCost(config("gpt-4o"), tokens, 0.5), 0.5);
  assert.equal(completionCost(config("my-local-model"), tokens), 0);
  assert.equal(hasPrice(config("my-local-model")), false);
  assert.equal(hasPrice(config("my-local-model", { inputCostPerToken: 1e-6 })), false);
  assert.equal(hasPrice(config("scripted:x.json", { scriptFile: "/x.json" })), true);
});

Deno.test("cost: cached prompt tokens at the cached price, long prompts at the long-context price", () => {
  // gpt-4o: $2.50 input, $1.25 cached, $10 output per million.
  close(
    completionCost(config("openai/gpt-4o"), {
      promptTokens: 1000,
      completionTokens: 10,
      cachedTokens: 800,
    }),
    200 * 2.5e-6 + 800 * 1.25e-6 + 10 * 10e-6,
  );
  // Cached tokens are part of the prompt: more cached than prompt counts the prompt only.
  close(
    completionCost(config("openai/gpt-4o"), {
      promptTokens: 100,
      completionTokens: 0,
      cachedTokens: 500,
    }),
    100 * 1.25e-6,
  );
  // gemini-2.5-pro: $1.25/$10 up to 200K prompt tokens, $2.50/$15 above.
  close(
    completionCost(config("gemini/gemini-2.5-pro"), {
      promptTokens: 200_000,
      completionTokens: 1000,
    }),
    200_000 * 1.25e-6 + 1000 * 10e-6,
  );
  close(
    completionCost(config("gemini/gemini-2.5-pro"), {
      promptTokens: 300_000,
      completionTokens: 1000,
    }),
    300_000 * 2.5e-6 + 1000 * 15e-6,
  );
});
