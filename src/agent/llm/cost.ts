/**
 * The cost of one completion, in the order OpenHands takes it: the cost the server reported
 * (LiteLLM proxies send `x-litellm-response-cost`), else the configured per-token prices
 * (`input_cost_per_token`, `output_cost_per_token`), else the built-in list prices of a known
 * model (`src/config/model_info.ts`), else 0.
 *
 * @module
 */
import type { LlmConfig } from "../../config/llm_config.ts";
import { modelInfo, pricesFor } from "../../config/model_info.ts";

/** Token counts of one completion. */
export interface CallTokens {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens read from the provider's cache (part of `promptTokens`). */
  cachedTokens?: number;
}

/**
 * Prices a completion from its token counts. Cached prompt tokens cost the model's cached-input
 * price when the table has one and no input price is configured, else the input price.
 */
export function completionCost(
  config: LlmConfig,
  tokens: CallTokens,
  reportedCost?: number,
): number {
  if (reportedCost !== undefined && Number.isFinite(reportedCost) && reportedCost >= 0) {
    return reportedCost;
  }
  const known = modelInfo(config.model);
  const listed = known ? pricesFor(known, tokens.promptTokens) : {};
  const input = config.inputCostPerToken ?? listed.inputCostPerToken;
  const output = config.outputCostPerToken ?? listed.outputCostPerToken;
  if (input === undefined || output === undefined) return 0;
  const cachedPrice = config.inputCostPerToken === undefined
    ? listed.cachedInputCostPerToken ?? input
    : input;
  const cached = Math.min(Math.max(0, tokens.cachedTokens ?? 0), tokens.promptTokens);
  return (tokens.promptTokens - cached) * input + cached * cachedPrice +
    tokens.completionTokens * output;
}

/**
 * Whether calls of this configuration get a price without the server's help: a per-token price
 * is configured or the model is in the built-in table. Scripted models cost nothing by design.
 */
export function hasPrice(config: LlmConfig): boolean {
  if (config.scriptFile !== undefined) return true;
  const known = modelInfo(config.model);
  return (config.inputCostPerToken ?? known?.inputCostPerToken) !== undefined &&
    (config.outputCostPerToken ?? known?.outputCostPerToken) !== undefined;
}
