/**
 * The LLM an agent talks to: a {@linkcode Transport} (OpenAI HTTP or scripted) wrapped with the
 * retry policy, per-call metrics (latency, tokens, cost) and completion logging. Both transports
 * go through here, so the scripted model is measured and logged like a real one.
 *
 * @module
 */
import type { LlmConfig } from "../../config/llm_config.ts";
import { isReasoningModel, modelInfo } from "../../config/model_info.ts";
import { addSecrets, redact } from "../../redact.ts";
import { CompletionLog } from "./completion_log.ts";
import { completionCost } from "./cost.ts";
import { Metrics } from "./metrics.ts";
import { OpenAiTransport } from "./openai.ts";
import { retryPolicyOf, withRetries } from "./retry.ts";
import { ScriptedTransport } from "./scripted.ts";
import type { ChatCompletion, ChatRequest, Transport } from "./types.ts";

/** Options of {@linkcode createLlm}. */
export interface LlmOptions {
  /** Where to log each completion (`llm_completions/<instance_id>`); no logging when absent. */
  completionsDir?: string;
  /** The per-instance budget recorded in metrics (`max_budget_per_task`). */
  maxBudgetPerTask?: number;
  /** Receives one line per retry. */
  log?: (line: string) => void;
}

/** Provider prefixes of OpenAI-compatible endpoints, stripped from the model name sent. */
const OPENAI_COMPATIBLE_PREFIXES = ["openai/", "litellm_proxy/", "hosted_vllm/"];

/** Builds the LLM of one episode (a fresh script position and fresh metrics). */
export async function createLlm(config: LlmConfig, options: LlmOptions = {}): Promise<Llm> {
  const transport = config.scriptFile === undefined
    ? new OpenAiTransport(config)
    : await ScriptedTransport.open(config.scriptFile);
  return new Llm(config, transport, options);
}

/** One model with retries, metrics and completion logging. */
export class Llm {
  /** Metrics of every successful completion so far. */
  readonly metrics: Metrics;
  readonly #log?: CompletionLog;

  constructor(
    readonly config: LlmConfig,
    readonly transport: Transport,
    readonly options: LlmOptions = {},
  ) {
    this.metrics = new Metrics(config.model, options.maxBudgetPerTask ?? null);
    addSecrets([config.apiKey]);
    if (options.completionsDir !== undefined) {
      this.#log = new CompletionLog(options.completionsDir, config.model);
    }
  }

  /** Asks the model once (retrying transient failures); records metrics and logs the call. */
  async complete(request: ChatRequest, signal: AbortSignal): Promise<ChatCompletion> {
    const body = requestBody(this.config, request);
    const started = performance.now();
    const policy = retryPolicyOf(this.config);
    const reply = await withRetries(
      () => this.transport.send(body, signal),
      policy,
      signal,
      (error, retry, delayMs) =>
        this.options.log?.(redact(
          `LLM call failed (${error.lastError}); retry ${retry}/${policy.retries} in ${
            (delayMs / 1000).toFixed(2)
          }s`,
        )),
    );
    const completion = reply.completion;
    this.metrics.addLatency((performance.now() - started) / 1000, completion.id);
    const usage = completion.usage;
    const promptTokens = usage?.prompt_tokens ?? 0;
    const completionTokens = usage?.completion_tokens ?? 0;
    const cacheReadTokens = usage?.prompt_tokens_details?.cached_tokens ?? 0;
    const cost = completionCost(
      this.config,
      { promptTokens, completionTokens, cachedTokens: cacheReadTokens },
      reply.reportedCost,
    );
    this.metrics.addCost(cost);
    this.metrics.addTokenUsage({
      promptTokens,
      completionTokens,
      cacheReadTokens,
      cacheWriteTokens: Number(
        (usage as { cache_creation_input_tokens?: number } | undefined)
          ?.cache_creation_input_tokens ?? 0,
      ),
      contextWindow: this.config.maxInputTokens ?? modelInfo(this.config.model)?.maxInputTokens ??
        0,
      responseId: completion.id,
    });
    if (this.#log) {
      const { messages, ...kwargs } = body;
      await this.#log.write({
        messages: messages as unknown[],
        response: completion,
        kwargs,
        cost,
      });
    }
    return completion;
  }
}

/** The request body: model, messages, tools and the sampling parameters the model takes. */
export function requestBody(config: LlmConfig, request: ChatRequest): Record<string, unknown> {
  const reasoning = isReasoningModel(config.model);
  const prefix = OPENAI_COMPATIBLE_PREFIXES.find((p) => config.model.startsWith(p));
  const body: Record<string, unknown> = {
    model: prefix ? config.model.slice(prefix.length) : config.model,
    messages: request.messages,
  };
  if (request.tools && request.tools.length > 0) body.tools = request.tools;
  if (!(reasoning && config.dropParams)) {
    body.temperature = config.temperature;
    body.top_p = config.topP;
  }
  if (config.maxOutputTokens !== undefined) {
    body[reasoning ? "max_completion_tokens" : "max_tokens"] = config.maxOutputTokens;
  }
  return body;
}
