/**
 * What velora knows about well-known models: output and context limits and list prices. Used to
 * reject a `max_output_tokens` the provider would refuse before any container starts, to fill
 * `context_window` in metrics, and to price calls when no per-token cost is configured. The price
 * list is maintained by hand: when a provider changes a price or adds a model, change the entry
 * and the date in its block's comment.
 *
 * @module
 */

/** USD per token of one price tier. */
export interface Prices {
  /** USD per prompt token. */
  inputCostPerToken: number;
  /** USD per completion token. */
  outputCostPerToken: number;
  /** USD per prompt token read from the provider's prompt cache (when it has a cache price). */
  cachedInputCostPerToken?: number;
}

/** Limits and prices of one model family. */
export interface ModelInfo {
  /** The family name the table knows it by, e.g. `gpt-4o`. */
  name: string;
  /** The most output tokens one completion may ask for. */
  maxOutputTokens: number;
  /** The context window in tokens. */
  maxInputTokens: number;
  /** USD per prompt token. */
  inputCostPerToken?: number;
  /** USD per completion token. */
  outputCostPerToken?: number;
  /** USD per cached prompt token. */
  cachedInputCostPerToken?: number;
  /** Prices of a call whose prompt is longer than `aboveTokens` (long-context tiers). */
  longContext?: Prices & { aboveTokens: number };
}

const M = 1e-6;

/**
 * The built-in price list: list prices in USD per million tokens (input, output, cached input),
 * standard tier (no batch discount), as the providers publish them. Prices change: a
 * `input_cost_per_token`/`output_cost_per_token` in the `[llm.*]` section wins over this table,
 * and a cost the server reports (LiteLLM's `x-litellm-response-cost`) wins over both. Where one
 * name covers several versions at different prices, the entry has the higher one, so a cost
 * limit stops early rather than late. Cache writes are priced as input.
 */
const MODELS: readonly ModelInfo[] = [
  // OpenAI: https://platform.openai.com/docs/pricing (checked 2025-11; o3 after the 2025-06-10
  // price cut; gpt-5.2 from OpenAI's 2025-12 launch prices).
  { name: "gpt-3.5-turbo", maxOutputTokens: 4096, maxInputTokens: 16385, ...usd(0.5, 1.5) },
  { name: "gpt-4", maxOutputTokens: 8192, maxInputTokens: 8192, ...usd(30, 60) },
  { name: "gpt-4-turbo", maxOutputTokens: 4096, maxInputTokens: 128000, ...usd(10, 30) },
  { name: "gpt-4o", maxOutputTokens: 16384, maxInputTokens: 128000, ...usd(2.5, 10, 1.25) },
  { name: "gpt-4o-mini", maxOutputTokens: 16384, maxInputTokens: 128000, ...usd(0.15, 0.6, 0.075) },
  { name: "gpt-4.1", maxOutputTokens: 32768, maxInputTokens: 1047576, ...usd(2, 8, 0.5) },
  { name: "gpt-4.1-mini", maxOutputTokens: 32768, maxInputTokens: 1047576, ...usd(0.4, 1.6, 0.1) },
  {
    name: "gpt-4.1-nano",
    maxOutputTokens: 32768,
    maxInputTokens: 1047576,
    ...usd(0.1, 0.4, 0.025),
  },
  { name: "o1", maxOutputTokens: 100000, maxInputTokens: 200000, ...usd(15, 60, 7.5) },
  { name: "o1-mini", maxOutputTokens: 65536, maxInputTokens: 128000, ...usd(1.1, 4.4, 0.55) },
  { name: "o1-pro", maxOutputTokens: 100000, maxInputTokens: 200000, ...usd(150, 600) },
  { name: "o3", maxOutputTokens: 100000, maxInputTokens: 200000, ...usd(2, 8, 0.5) },
  { name: "o3-mini", maxOutputTokens: 100000, maxInputTokens: 200000, ...usd(1.1, 4.4, 0.55) },
  { name: "o3-pro", maxOutputTokens: 100000, maxInputTokens: 200000, ...usd(20, 80) },
  { name: "o4-mini", maxOutputTokens: 100000, maxInputTokens: 200000, ...usd(1.1, 4.4, 0.275) },
  { name: "codex-mini", maxOutputTokens: 100000, maxInputTokens: 200000, ...usd(1.5, 6, 0.375) },
  { name: "gpt-5", maxOutputTokens: 128000, maxInputTokens: 272000, ...usd(1.25, 10, 0.125) },
  { name: "gpt-5-mini", maxOutputTokens: 128000, maxInputTokens: 272000, ...usd(0.25, 2, 0.025) },
  { name: "gpt-5-nano", maxOutputTokens: 128000, maxInputTokens: 272000, ...usd(0.05, 0.4, 0.005) },
  { name: "gpt-5-chat", maxOutputTokens: 16384, maxInputTokens: 128000, ...usd(1.25, 10, 0.125) },
  { name: "gpt-5-codex", maxOutputTokens: 128000, maxInputTokens: 272000, ...usd(1.25, 10, 0.125) },
  { name: "gpt-5-pro", maxOutputTokens: 272000, maxInputTokens: 400000, ...usd(15, 120) },
  { name: "gpt-5.1", maxOutputTokens: 128000, maxInputTokens: 272000, ...usd(1.25, 10, 0.125) },
  {
    name: "gpt-5.1-codex",
    maxOutputTokens: 128000,
    maxInputTokens: 272000,
    ...usd(1.25, 10, 0.125),
  },
  { name: "gpt-5.2", maxOutputTokens: 128000, maxInputTokens: 272000, ...usd(1.75, 14, 0.175) },

  // Anthropic: https://docs.anthropic.com/en/docs/about-claude/pricing (checked 2025-11; cached =
  // cache hits; Sonnet 4/4.5 prompts over 200K tokens, with the 1M-context beta, at the
  // long-context price; Opus 4.5 from its 2025-11-24 launch, Opus/Sonnet 4.6 from 2026 listings).
  {
    name: "claude-3-haiku",
    maxOutputTokens: 4096,
    maxInputTokens: 200000,
    ...usd(0.25, 1.25, 0.03),
  },
  { name: "claude-3-opus", maxOutputTokens: 4096, maxInputTokens: 200000, ...usd(15, 75, 1.5) },
  { name: "claude-3-5-haiku", maxOutputTokens: 8192, maxInputTokens: 200000, ...usd(0.8, 4, 0.08) },
  { name: "claude-3-5-sonnet", maxOutputTokens: 8192, maxInputTokens: 200000, ...usd(3, 15, 0.3) },
  {
    name: "claude-3-7-sonnet",
    maxOutputTokens: 128000,
    maxInputTokens: 200000,
    ...usd(3, 15, 0.3),
  },
  {
    name: "claude-sonnet-4",
    maxOutputTokens: 64000,
    maxInputTokens: 200000,
    ...usd(3, 15, 0.3),
    longContext: { aboveTokens: 200000, ...usd(6, 22.5, 0.6) },
  },
  {
    name: "claude-sonnet-4-5",
    maxOutputTokens: 64000,
    maxInputTokens: 200000,
    ...usd(3, 15, 0.3),
    longContext: { aboveTokens: 200000, ...usd(6, 22.5, 0.6) },
  },
  {
    name: "claude-sonnet-4-6",
    maxOutputTokens: 64000,
    maxInputTokens: 1000000,
    ...usd(3, 15, 0.3),
  },
  { name: "claude-haiku-4-5", maxOutputTokens: 64000, maxInputTokens: 200000, ...usd(1, 5, 0.1) },
  { name: "claude-opus-4", maxOutputTokens: 32000, maxInputTokens: 200000, ...usd(15, 75, 1.5) },
  { name: "claude-opus-4-1", maxOutputTokens: 32000, maxInputTokens: 200000, ...usd(15, 75, 1.5) },
  { name: "claude-opus-4-5", maxOutputTokens: 64000, maxInputTokens: 200000, ...usd(5, 25, 0.5) },
  { name: "claude-opus-4-6", maxOutputTokens: 128000, maxInputTokens: 1000000, ...usd(5, 25, 0.5) },

  // Google: https://ai.google.dev/gemini-api/docs/pricing (checked 2025-11; text input; cached =
  // context caching; prompts over 128K (1.5) or 200K tokens (2.5 Pro, 3 Pro) at the long-context
  // price; Gemini 3 from their 2025-11/12 preview launches).
  {
    name: "gemini-1.5-flash",
    maxOutputTokens: 8192,
    maxInputTokens: 1048576,
    ...usd(0.075, 0.3, 0.01875),
    longContext: { aboveTokens: 128000, ...usd(0.15, 0.6, 0.0375) },
  },
  {
    name: "gemini-1.5-flash-8b",
    maxOutputTokens: 8192,
    maxInputTokens: 1048576,
    ...usd(0.0375, 0.15, 0.01),
    longContext: { aboveTokens: 128000, ...usd(0.075, 0.3, 0.02) },
  },
  {
    name: "gemini-1.5-pro",
    maxOutputTokens: 8192,
    maxInputTokens: 2097152,
    ...usd(1.25, 5, 0.3125),
    longContext: { aboveTokens: 128000, ...usd(2.5, 10, 0.625) },
  },
  {
    name: "gemini-2.0-flash",
    maxOutputTokens: 8192,
    maxInputTokens: 1048576,
    ...usd(0.1, 0.4, 0.025),
  },
  {
    name: "gemini-2.0-flash-lite",
    maxOutputTokens: 8192,
    maxInputTokens: 1048576,
    ...usd(0.075, 0.3),
  },
  {
    name: "gemini-2.5-flash",
    maxOutputTokens: 65536,
    maxInputTokens: 1048576,
    ...usd(0.3, 2.5, 0.03),
  },
  {
    name: "gemini-2.5-flash-lite",
    maxOutputTokens: 65536,
    maxInputTokens: 1048576,
    ...usd(0.1, 0.4, 0.01),
  },
  {
    name: "gemini-2.5-pro",
    maxOutputTokens: 65536,
    maxInputTokens: 1048576,
    ...usd(1.25, 10, 0.125),
    longContext: { aboveTokens: 200000, ...usd(2.5, 15, 0.25) },
  },
  { name: "gemini-3-flash", maxOutputTokens: 65536, maxInputTokens: 1048576, ...usd(0.5, 3, 0.05) },
  {
    name: "gemini-3-pro",
    maxOutputTokens: 65536,
    maxInputTokens: 1048576,
    ...usd(2, 12, 0.2),
    longContext: { aboveTokens: 200000, ...usd(4, 18, 0.4) },
  },

  // DeepSeek: https://api-docs.deepseek.com/quick_start/pricing. deepseek-chat and
  // deepseek-reasoner (both DeepSeek-V3.2) since 2025-09-29; cached = cache hit. The model names
  // of the open weights (deepseek-v3, -r1, -v3.1), as other hosts serve them, at DeepSeek's own
  // price while it served them (V3/R1 from 2025-02, V3.1 from 2025-09-05).
  {
    name: "deepseek-chat",
    maxOutputTokens: 8192,
    maxInputTokens: 128000,
    ...usd(0.28, 0.42, 0.028),
  },
  {
    name: "deepseek-reasoner",
    maxOutputTokens: 65536,
    maxInputTokens: 128000,
    ...usd(0.28, 0.42, 0.028),
  },
  { name: "deepseek-v3", maxOutputTokens: 32768, maxInputTokens: 128000, ...usd(0.27, 1.1, 0.07) },
  {
    name: "deepseek-v3.1",
    maxOutputTokens: 65536,
    maxInputTokens: 128000,
    ...usd(0.56, 1.68, 0.07),
  },
  {
    name: "deepseek-v3.2",
    maxOutputTokens: 65536,
    maxInputTokens: 128000,
    ...usd(0.28, 0.42, 0.028),
  },
  { name: "deepseek-r1", maxOutputTokens: 65536, maxInputTokens: 128000, ...usd(0.55, 2.19, 0.14) },

  // Mistral: https://mistral.ai/pricing (checked 2025-11; no cache price). mistral-large is
  // Large 2 (2407/2411, the higher price); mistral-large-2512 is Large 3; mistral-medium is
  // Medium 3/3.1; devstral is Devstral 2 (2512).
  { name: "mistral-large", maxOutputTokens: 131072, maxInputTokens: 131072, ...usd(2, 6) },
  { name: "mistral-large-2512", maxOutputTokens: 262144, maxInputTokens: 262144, ...usd(0.5, 1.5) },
  { name: "mistral-medium", maxOutputTokens: 131072, maxInputTokens: 131072, ...usd(0.4, 2) },
  { name: "mistral-small", maxOutputTokens: 131072, maxInputTokens: 131072, ...usd(0.1, 0.3) },
  { name: "codestral", maxOutputTokens: 256000, maxInputTokens: 256000, ...usd(0.3, 0.9) },
  { name: "devstral", maxOutputTokens: 262144, maxInputTokens: 262144, ...usd(0.4, 2) },
  { name: "devstral-small", maxOutputTokens: 131072, maxInputTokens: 131072, ...usd(0.1, 0.3) },
  { name: "devstral-medium", maxOutputTokens: 131072, maxInputTokens: 131072, ...usd(0.4, 2) },
];

/** Every model of the table (for tests and docs). */
export const KNOWN_MODELS: readonly ModelInfo[] = MODELS;

/**
 * Version suffixes a provider appends to a family name, any number of them: dates (`-20250514`,
 * `-2024-08-06`, `@20250514`, `-05-06`, `-09-2025`), short versions (`-0613`, `-002`), Bedrock's
 * `-v1:0`, `-latest`, `-preview`, `-exp`.
 */
const SUFFIX =
  /^(?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{2}-\d{4}|\d{2}-\d{2}|\d{3,4}|v\d+(?::\d+)?|latest|preview|exp))*$/;

/**
 * The model's own name: no provider prefix (`openai/`, `litellm_proxy/anthropic/`), no Bedrock
 * region and vendor (`us.anthropic.`), lower case, and a dot between digits written as a dash
 * (`claude-3.5-sonnet`, `gpt-4.1` and `claude-3-5-sonnet`, `gpt-4-1` are the same).
 */
function bareName(model: string): string {
  return model.slice(model.lastIndexOf("/") + 1).toLowerCase()
    .replace(/^(?:[a-z]+\.)?anthropic\./, "")
    .replace(/(\d)\.(?=\d)/g, "$1-");
}

/**
 * Looks a model up by its configured name. The provider prefix (`openai/`, `litellm_proxy/`) is
 * ignored, and so are version suffixes: `openai/gpt-4o-2024-08-06` is `gpt-4o`,
 * `anthropic/claude-sonnet-4-5-20250929` is `claude-sonnet-4-5`.
 */
export function modelInfo(model: string): ModelInfo | undefined {
  const bare = bareName(model);
  let best: ModelInfo | undefined;
  let bestLength = 0;
  for (const info of MODELS) {
    const name = bareName(info.name);
    if (!bare.startsWith(name) || !SUFFIX.test(bare.slice(name.length))) continue;
    if (name.length > bestLength) [best, bestLength] = [info, name.length];
  }
  return best;
}

/** The prices of a call with `promptTokens` of prompt: the long-context tier's when it applies. */
export function pricesFor(info: ModelInfo, promptTokens: number): Partial<Prices> {
  const tier = info.longContext;
  if (tier && promptTokens > tier.aboveTokens) return tier;
  return {
    ...(info.inputCostPerToken === undefined ? {} : { inputCostPerToken: info.inputCostPerToken }),
    ...(info.outputCostPerToken === undefined
      ? {}
      : { outputCostPerToken: info.outputCostPerToken }),
    ...(info.cachedInputCostPerToken === undefined
      ? {}
      : { cachedInputCostPerToken: info.cachedInputCostPerToken }),
  };
}

/** True for reasoning models, which take no `temperature`/`top_p` and want `max_completion_tokens`. */
export function isReasoningModel(model: string): boolean {
  const bare = model.slice(model.lastIndexOf("/") + 1).toLowerCase();
  return /^(o1|o3|o4|gpt-5)(-|$)/.test(bare);
}

/** Prices per token from USD per million tokens. */
function usd(inputPerMillion: number, outputPerMillion: number, cachedPerMillion?: number): Prices {
  return {
    inputCostPerToken: inputPerMillion * M,
    outputCostPerToken: outputPerMillion * M,
    ...(cachedPerMillion === undefined ? {} : { cachedInputCostPerToken: cachedPerMillion * M }),
  };
}
