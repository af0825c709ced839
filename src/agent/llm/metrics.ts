/**
 * LLM metrics in OpenHands' shape (`openhands/llm/metrics.py`): accumulated cost and token
 * usage plus one entry per completion for cost, latency and tokens. {@linkcode Metrics.get} is
 * what `output.jsonl` rows carry under `metrics`.
 *
 * @module
 */

/** Token usage of one completion (or the accumulated sum). */
export interface TokenUsage {
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  context_window: number;
  per_turn_token: number;
  response_id: string;
}

/** The cost of one completion. */
export interface CostEntry {
  model: string;
  cost: number;
  /** Unix time in seconds. */
  timestamp: number;
}

/** The latency of one completion. */
export interface LatencyEntry {
  model: string;
  /** Seconds. */
  latency: number;
  response_id: string;
}

/** `Metrics.get()`. */
export interface MetricsSnapshot {
  accumulated_cost: number;
  max_budget_per_task: number | null;
  accumulated_token_usage: TokenUsage;
  costs: CostEntry[];
  response_latencies: LatencyEntry[];
  token_usages: TokenUsage[];
}

/** What one completion used. */
export interface UsageReport {
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  contextWindow: number;
  responseId: string;
}

/** Accumulates the metrics of one LLM over an episode. */
export class Metrics {
  #cost = 0;
  #costs: CostEntry[] = [];
  #latencies: LatencyEntry[] = [];
  #usages: TokenUsage[] = [];
  #total: TokenUsage;

  constructor(readonly model: string, readonly maxBudgetPerTask: number | null = null) {
    this.#total = emptyUsage(model);
  }

  /** The accumulated cost in USD. */
  get accumulatedCost(): number {
    return this.#cost;
  }

  /** Records the cost of one completion. */
  addCost(cost: number): void {
    if (cost < 0) throw new RangeError(`Cost must be ≥ 0, got ${cost}`);
    this.#cost += cost;
    this.#costs.push({ model: this.model, cost, timestamp: Date.now() / 1000 });
  }

  /** Records the latency of one completion, in seconds. */
  addLatency(latency: number, responseId: string): void {
    this.#latencies.push({
      model: this.model,
      latency: Math.max(0, latency),
      response_id: responseId,
    });
  }

  /** Records the token usage of one completion. */
  addTokenUsage(report: UsageReport): void {
    const usage: TokenUsage = {
      model: this.model,
      prompt_tokens: report.promptTokens,
      completion_tokens: report.completionTokens,
      cache_read_tokens: report.cacheReadTokens,
      cache_write_tokens: report.cacheWriteTokens,
      context_window: report.contextWindow,
      per_turn_token: report.promptTokens + report.completionTokens,
      response_id: report.responseId,
    };
    this.#usages.push(usage);
    const t = this.#total;
    this.#total = {
      model: this.model,
      prompt_tokens: t.prompt_tokens + usage.prompt_tokens,
      completion_tokens: t.completion_tokens + usage.completion_tokens,
      cache_read_tokens: t.cache_read_tokens + usage.cache_read_tokens,
      cache_write_tokens: t.cache_write_tokens + usage.cache_write_tokens,
      context_window: Math.max(t.context_window, usage.context_window),
      per_turn_token: usage.per_turn_token,
      response_id: "",
    };
  }

  /** `Metrics.get()`: everything, as plain JSON. */
  get(): MetricsSnapshot {
    return {
      accumulated_cost: this.#cost,
      max_budget_per_task: this.maxBudgetPerTask,
      accumulated_token_usage: { ...this.#total },
      costs: this.#costs.map((c) => ({ ...c })),
      response_latencies: this.#latencies.map((l) => ({ ...l })),
      token_usages: this.#usages.map((u) => ({ ...u })),
    };
  }

  /** The `llm_metrics` OpenHands attaches to each agent action: accumulated values only. */
  snapshot(): MetricsSnapshot {
    return { ...this.get(), costs: [], response_latencies: [], token_usages: [] };
  }
}

/**
 * The metrics of several runs of one task as one (OpenHands `Metrics.merge`): costs added, the
 * per-completion lists joined in order, token totals added (the context window is the largest).
 * Used for an instance run more than once, so the row shows every paid attempt.
 */
export function mergeMetrics(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const last = snapshots.at(-1);
  const model = last?.accumulated_token_usage.model ?? "default";
  const total = emptyUsage(model);
  for (const { accumulated_token_usage: u } of snapshots) {
    total.prompt_tokens += u.prompt_tokens;
    total.completion_tokens += u.completion_tokens;
    total.cache_read_tokens += u.cache_read_tokens;
    total.cache_write_tokens += u.cache_write_tokens;
    total.context_window = Math.max(total.context_window, u.context_window);
    total.per_turn_token = u.per_turn_token;
  }
  return {
    accumulated_cost: snapshots.reduce((sum, s) => sum + s.accumulated_cost, 0),
    max_budget_per_task: last?.max_budget_per_task ?? null,
    accumulated_token_usage: total,
    costs: snapshots.flatMap((s) => s.costs.map((c) => ({ ...c }))),
    response_latencies: snapshots.flatMap((s) => s.response_latencies.map((l) => ({ ...l }))),
    token_usages: snapshots.flatMap((s) => s.token_usages.map((u) => ({ ...u }))),
  };
}

function emptyUsage(model: string): TokenUsage {
  return {
    model,
    prompt_tokens: 0,
    completion_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    context_window: 0,
    per_turn_token: 0,
    response_id: "",
  };
}
