/**
 * One resolved `[llm.<name>]` section of an OpenHands-style `config.toml`: the type the agent
 * uses, the zod schema of the raw section, and the OpenHands-shaped dump for `metadata.json`.
 *
 * @module
 */
import { z } from "zod";

/** A resolved LLM configuration. Times are seconds, costs USD per token. */
export interface LlmConfig {
  /** The section as the user names it: `llm.gpt` (`llm` for the base section). */
  name: string;
  /** Model name, e.g. `openai/gpt-4o`, or `scripted:<file>` for a replayed script. */
  model: string;
  /** Absolute path of the script when {@linkcode LlmConfig.model} is `scripted:<file>`. */
  scriptFile?: string;
  /** API key (absent only for scripted models). */
  apiKey?: string;
  /** OpenAI-compatible endpoint; the SDK's default when absent. */
  baseUrl?: string;
  /** Sent as the `api-version` query parameter (Azure-style endpoints). */
  apiVersion?: string;
  /** Sampling temperature. @default 0 */
  temperature: number;
  /** Nucleus sampling. @default 1 */
  topP: number;
  /** Context window, when the user states it. */
  maxInputTokens?: number;
  /** Completion budget of each call. */
  maxOutputTokens?: number;
  /** Retries after the first attempt on 429, 5xx, connection errors and timeouts. @default 5 */
  numRetries: number;
  /** Shortest wait before a retry. @default 8 */
  retryMinWait: number;
  /** Longest wait before a retry. @default 64 */
  retryMaxWait: number;
  /** Backoff multiplier: wait n is `multiplier * 2^(n-1)`, clamped to the min/max. @default 8 */
  retryMultiplier: number;
  /** Per-request timeout. */
  timeout?: number;
  /** USD per prompt token (overrides the built-in price list). */
  inputCostPerToken?: number;
  /** USD per completion token. */
  outputCostPerToken?: number;
  /** Drop parameters the model does not take (temperature/top_p of reasoning models). @default true */
  dropParams: boolean;
  /** Accepted for OpenHands compatibility; velora always speaks the OpenAI protocol. */
  customLlmProvider?: string;
  /** Observation text longer than this is cut in the middle before it goes to the model. @default 30000 */
  maxMessageChars: number;
}

/** Keys velora reads, with the zod type of their raw value. */
export const llmSectionSchema = z.strictObject({
  model: z.string().min(1),
  api_key: z.string().optional(),
  base_url: z.string().optional(),
  api_version: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_input_tokens: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  num_retries: z.number().int().min(0).optional(),
  retry_min_wait: z.number().min(0).optional(),
  retry_max_wait: z.number().min(0).optional(),
  retry_multiplier: z.number().min(0).optional(),
  timeout: z.number().positive().optional(),
  input_cost_per_token: z.number().min(0).optional(),
  output_cost_per_token: z.number().min(0).optional(),
  drop_params: z.boolean().optional(),
  custom_llm_provider: z.string().optional(),
  max_message_chars: z.number().int().positive().optional(),
});

/** A raw section after interpolation and validation. */
export type LlmSection = z.infer<typeof llmSectionSchema>;

/**
 * OpenHands `LLMConfig` keys velora accepts and ignores, so an existing OpenHands `config.toml`
 * loads unchanged.
 */
export const IGNORED_OPENHANDS_KEYS: readonly string[] = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_region_name",
  "openrouter_site_url",
  "openrouter_app_name",
  "embedding_model",
  "embedding_base_url",
  "embedding_deployment_name",
  "ollama_base_url",
  "top_k",
  "modify_params",
  "disable_vision",
  "disable_stop_word",
  "caching_prompt",
  "log_completions",
  "log_completions_folder",
  "custom_tokenizer",
  "native_tool_calling",
  "reasoning_effort",
  "seed",
  "safety_settings",
  "for_routing",
  "correct_num",
  "completion_kwargs",
  "max_budget_per_task",
];

/** Builds the config from a validated section. */
export function llmConfigFromSection(
  name: string,
  section: LlmSection,
  scriptFile?: string,
): LlmConfig {
  const s = section;
  return {
    name,
    model: s.model,
    ...(scriptFile === undefined ? {} : { scriptFile }),
    ...(s.api_key === undefined ? {} : { apiKey: s.api_key }),
    ...(s.base_url === undefined ? {} : { baseUrl: s.base_url }),
    ...(s.api_version === undefined ? {} : { apiVersion: s.api_version }),
    temperature: s.temperature ?? 0,
    topP: s.top_p ?? 1,
    ...(s.max_input_tokens === undefined ? {} : { maxInputTokens: s.max_input_tokens }),
    ...(s.max_output_tokens === undefined ? {} : { maxOutputTokens: s.max_output_tokens }),
    numRetries: s.num_retries ?? 5,
    retryMinWait: s.retry_min_wait ?? 8,
    retryMaxWait: s.retry_max_wait ?? 64,
    retryMultiplier: s.retry_multiplier ?? 8,
    ...(s.timeout === undefined ? {} : { timeout: s.timeout }),
    ...(s.input_cost_per_token === undefined ? {} : { inputCostPerToken: s.input_cost_per_token }),
    ...(s.output_cost_per_token === undefined
      ? {}
      : { outputCostPerToken: s.output_cost_per_token }),
    dropParams: s.drop_params ?? true,
    ...(s.custom_llm_provider === undefined ? {} : { customLlmProvider: s.custom_llm_provider }),
    maxMessageChars: s.max_message_chars ?? 30000,
  };
}

/**
 * The config as OpenHands dumps `LLMConfig` into `metadata.json`: snake_case keys, secrets
 * written as `**********`.
 */
export function llmConfigForMetadata(config: LlmConfig): Record<string, unknown> {
  return {
    model: config.model,
    api_key: config.apiKey === undefined ? null : "**********",
    base_url: config.baseUrl ?? null,
    api_version: config.apiVersion ?? null,
    num_retries: config.numRetries,
    retry_multiplier: config.retryMultiplier,
    retry_min_wait: config.retryMinWait,
    retry_max_wait: config.retryMaxWait,
    timeout: config.timeout ?? null,
    max_message_chars: config.maxMessageChars,
    temperature: config.temperature,
    top_p: config.topP,
    custom_llm_provider: config.customLlmProvider ?? null,
    max_input_tokens: config.maxInputTokens ?? null,
    max_output_tokens: config.maxOutputTokens ?? null,
    input_cost_per_token: config.inputCostPerToken ?? null,
    output_cost_per_token: config.outputCostPerToken ?? null,
    drop_params: config.dropParams,
    log_completions: true,
  };
}
