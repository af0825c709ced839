/**
 * The episode controller: one loop for every agent. It opens the history as OpenHands does
 * (system prompt, task, workspace recall), then steps the agent until it finishes or a limit
 * stops it, executing runnable actions in the runtime and appending each event as it happens.
 *
 * Limits are typed exits, checked before every step in OpenHands' order: abort and wall clock,
 * stuck detection, `max_iterations` (exactly that many agent steps), the per-instance budget.
 * Agent, LLM and runtime failures end the episode with OpenHands' `last_error` text; they are
 * never thrown out of {@linkcode runEpisode}. A disk fault writing velora's own files (a
 * `DiskError`, e.g. a completion log on a full disk) is not the agent's: it is thrown.
 *
 * @module
 */
import type { LlmConfig } from "../config/llm_config.ts";
import { DiskError } from "../errors.ts";
import { redact } from "../redact.ts";
import type { ActionEvent, Observation } from "../runtime/protocol.ts";
import type { Agent, AgentClass } from "./agent.ts";
import { ToolCallError } from "./codeact/function_calling.ts";
import { eventsToForget } from "./condense.ts";
import { createAgent } from "./create_agent.ts";
import {
  type ActionEventDict,
  type EventDict,
  EventLog,
  isAction,
  type NewAction,
  type OnEvent,
} from "./events.ts";
import {
  condensationAction,
  errorObservation,
  messageAction,
  recallAction,
  recallObservation,
  thinkObservation,
} from "./event_builders.ts";
import { fakeUserResponse } from "./fake_user.ts";
import { LlmError } from "./llm/errors.ts";
import { Metrics, type MetricsSnapshot } from "./llm/metrics.ts";
import { detectStuck } from "./stuck.ts";

/** What executes actions: the {@linkcode Sandbox}, or a fake in unit tests. */
export interface EpisodeRuntime {
  execute(action: ActionEvent): Promise<Observation>;
}

/** The instance an episode works on. */
export interface EpisodeInstance {
  /** Used in logs and completion file names by the caller. */
  instanceId: string;
  /** The repository inside the sandbox, e.g. `/workspace/org__repo__0.1`. */
  workspaceDir: string;
  /** The reference patch (GoldPatchAgent). */
  goldPatch?: string;
}

/** Limits of one episode. */
export interface EpisodeLimits {
  /** Agent steps (each queued tool call is one step). */
  maxIterations: number;
  /** Stop once the accumulated LLM cost (with {@linkcode priorCost}) reaches this many USD. */
  maxBudgetPerTask?: number;
  /** USD already spent on this task by earlier attempts; counts toward `maxBudgetPerTask`. */
  priorCost?: number;
  /** Stop after this many seconds. */
  wallClockSeconds?: number;
}

/** Inputs of {@linkcode runEpisode}. */
export interface EpisodeOptions {
  agentClass: AgentClass;
  /** The resolved LLM section; required for CodeActAgent. */
  llm?: LlmConfig;
  /** The task: the first user message. */
  instruction: string;
  runtime: EpisodeRuntime;
  instance: EpisodeInstance;
  limits: EpisodeLimits;
  /** Aborting stops the episode (state `stopped`, reason `aborted`). */
  signal?: AbortSignal;
  /** Directory of this instance's completion logs (`llm_completions/<instance_id>`). */
  completionsDir?: string;
  /** Called with each event as it is appended (redacted), before the next step. */
  onEvent?: OnEvent;
  /** Progress and warning lines (retries, stuck, runtime failures). */
  log?: (line: string) => void;
  /** Hard timeout given to runnable actions without one (OpenHands `sandbox.timeout`). @default 120 */
  sandboxTimeout?: number;
}

/** Why an episode ended. */
export type EpisodeExitReason =
  | "finished"
  | "rejected"
  | "max_iterations"
  | "budget"
  | "wall_clock"
  | "stuck"
  | "llm_error"
  | "runtime_error"
  | "aborted"
  | "internal_error";

/** OpenHands' final agent states that an episode can end in. */
export type FinalAgentState = "finished" | "rejected" | "error" | "stopped";

/** How an episode ended. */
export interface EpisodeExit {
  reason: EpisodeExitReason;
  /** E.g. the stuck pattern or the LLM error kind. */
  detail?: string;
}

/** The record of one episode. */
export interface EpisodeResult {
  /** OpenHands event dicts, secrets redacted. */
  history: EventDict[];
  /** `Metrics.get()` of the agent's LLM. */
  metrics: MetricsSnapshot;
  state: FinalAgentState;
  /** OpenHands' `state.last_error`, e.g. `RuntimeError: Agent reached maximum iteration. ...`. */
  lastError: string | null;
  exit: EpisodeExit;
  /** Agent steps taken. */
  iterations: number;
}

interface End {
  exit: EpisodeExit;
  state: FinalAgentState;
  lastError: string | null;
}

const RUNNABLE = new Set([
  "run",
  "read",
  "write",
  "edit",
  "run_ipython",
  "browse",
  "browse_interactive",
]);

/**
 * Runs one episode of `agentClass` on an instance whose sandbox is `runtime`.
 *
 * ```ts
 * await using sandbox = await Sandbox.start(docker, { image, run });
 * const result = await runEpisode({
 *   agentClass: "CodeActAgent", llm, instruction, runtime: sandbox,
 *   instance: { instanceId, workspaceDir: "/workspace/repo" },
 *   limits: { maxIterations: 50 }, completionsDir, onEvent: (e) => writer.append(e),
 * });
 * ```
 *
 * Throws only for setup errors (a CodeActAgent without LLM config, an unreadable script), for
 * errors thrown by `onEvent`, and for a {@linkcode DiskError}.
 */
export async function runEpisode(options: EpisodeOptions): Promise<EpisodeResult> {
  const log = (line: string) => options.log?.(redact(line));
  const agent = await agentFor(options, log);
  const metrics = agent.llm?.metrics ??
    new Metrics(options.llm?.model ?? "default", options.limits.maxBudgetPerTask ?? null);
  const events = new EventLog(options.onEvent);
  using clock = wallClock(options.limits.wallClockSeconds);
  const signal = AbortSignal.any([options.signal, clock.signal].filter((s) => s !== undefined));
  const ctx: Context = { options, agent, events, signal, wall: clock.signal, log };

  await openHistory(ctx);
  let iteration = 0;
  let end: End | undefined;
  while (!end) {
    end = checkLimits(ctx, iteration, metrics.accumulatedCost + (options.limits.priorCost ?? 0));
    if (end) break;
    iteration++;
    end = await takeStep(ctx, iteration);
  }
  const lastError = end.lastError === null ? null : redact(end.lastError);
  if (lastError) log(`Episode ended (${end.exit.reason}): ${lastError}`);
  return {
    history: events.history(),
    metrics: metrics.get(),
    state: end.state,
    lastError,
    exit: end.exit,
    iterations: iteration,
  };
}

function agentFor(options: EpisodeOptions, log: (line: string) => void): Promise<Agent> {
  const { llm, completionsDir, instance, limits } = options;
  return createAgent(options.agentClass, {
    ...(llm ? { llm } : {}),
    llmOptions: {
      ...(completionsDir === undefined ? {} : { completionsDir }),
      ...(limits.maxBudgetPerTask === undefined
        ? {}
        : { maxBudgetPerTask: limits.maxBudgetPerTask }),
      log,
    },
    workspaceDir: instance.workspaceDir,
    ...(instance.goldPatch === undefined ? {} : { goldPatch: instance.goldPatch }),
    log,
  });
}

/** A signal that aborts after `seconds` (none when undefined); disposing clears the timer. */
function wallClock(seconds: number | undefined): Disposable & { signal?: AbortSignal } {
  if (seconds === undefined) return { [Symbol.dispose]() {} };
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`Timeout after ${seconds} seconds`, "TimeoutError")),
    seconds * 1000,
  );
  return { signal: controller.signal, [Symbol.dispose]: () => clearTimeout(timer) };
}

/** What the loop's helpers share. */
interface Context {
  options: EpisodeOptions;
  agent: Agent;
  events: EventLog;
  signal: AbortSignal;
  wall: AbortSignal | undefined;
  log: (line: string) => void;
}

async function openHistory({ agent, events, options }: Context): Promise<void> {
  const system = agent.systemMessage();
  if (system) await events.append(system);
  await events.append(messageAction(options.instruction, "user"));
  const recall = await events.append(recallAction(options.instruction));
  await events.append(recallObservation(recall.id, options.instance.workspaceDir));
}

function checkLimits(ctx: Context, iteration: number, cost: number): End | undefined {
  if (ctx.signal.aborted) return abortEnd(ctx);
  const stuck = detectStuck(ctx.events.events);
  if (stuck) {
    return error("stuck", "AgentStuckInLoopError: Agent got stuck in a loop", stuck);
  }
  const { maxIterations, maxBudgetPerTask } = ctx.options.limits;
  if (iteration >= maxIterations) {
    return error(
      "max_iterations",
      `RuntimeError: Agent reached maximum iteration. Current iteration: ${iteration}, max iteration: ${maxIterations}`,
    );
  }
  if (maxBudgetPerTask !== undefined && cost >= maxBudgetPerTask) {
    return error(
      "budget",
      `RuntimeError: Agent reached maximum budget for conversation.Current budget: ${
        cost.toFixed(2)
      }, max budget: ${maxBudgetPerTask.toFixed(2)}`,
    );
  }
  return undefined;
}

/** One agent step: get an action, record it, and carry it out. */
async function takeStep(ctx: Context, iteration: number): Promise<End | undefined> {
  let action: NewAction;
  try {
    action = await raceAbort(
      ctx.agent.step({ events: ctx.events.events, iteration }, ctx.signal),
      ctx.signal,
    );
  } catch (failure) {
    return await onStepFailure(ctx, failure);
  }
  if (ctx.agent.llm) action.llm_metrics = ctx.agent.llm.metrics.snapshot();
  const isRunnable = RUNNABLE.has(action.action);
  if (isRunnable && action.timeout === undefined) {
    action.timeout = ctx.options.sandboxTimeout ?? 120;
  }
  const recorded = await ctx.events.append(action);
  switch (action.action) {
    case "finish":
      return { exit: { reason: "finished" }, state: "finished", lastError: null };
    case "reject":
      return { exit: { reason: "rejected" }, state: "rejected", lastError: null };
    case "message":
      if (action.args.wait_for_response) {
        await ctx.events.append(messageAction(fakeUserResponse(ctx.events.events), "user"));
      }
      return undefined;
    case "think":
      await ctx.events.append({ ...thinkObservation(recorded.id), ...metadataOf(recorded) });
      return undefined;
  }
  if (!isRunnable) return undefined;
  return await execute(ctx, recorded);
}

async function execute(ctx: Context, action: ActionEventDict): Promise<End | undefined> {
  let observation: Observation;
  try {
    const request: ActionEvent = { action: action.action, args: action.args };
    if (action.timeout !== undefined) request.timeout = action.timeout;
    observation = await raceAbort(ctx.options.runtime.execute(request), ctx.signal);
  } catch (failure) {
    if (ctx.signal.aborted) return abortEnd(ctx);
    const name = failure instanceof Error ? failure.name : "Error";
    const message = failure instanceof Error ? failure.message : String(failure);
    return error("runtime_error", `${name}: ${message}`);
  }
  await ctx.events.append({
    source: "agent",
    message: observation.message ?? "",
    cause: action.id,
    observation: observation.observation,
    content: observation.content ?? "",
    extras: observation.extras ?? {},
    ...(observation.success === undefined ? {} : { success: observation.success }),
    ...metadataOf(action),
  });
  return undefined;
}

/** Bad tool calls become error observations; a full context window condenses; the rest ends. */
async function onStepFailure(ctx: Context, failure: unknown): Promise<End | undefined> {
  if (failure instanceof DiskError) throw failure;
  if (ctx.signal.aborted) return abortEnd(ctx);
  if (failure instanceof ToolCallError) {
    await ctx.events.append(errorObservation(failure.message));
    return undefined;
  }
  if (failure instanceof LlmError && failure.kind === "context_window") {
    // Condensing again right after a condensation would only loop (and end as "stuck"): a prompt
    // still too long after one condensation, or with nothing left to forget, ends the episode.
    const last = ctx.events.events.at(-1);
    const justCondensed = last !== undefined && isAction(last) && last.action === "condensation";
    const forget = justCondensed ? undefined : eventsToForget(ctx.events.events);
    if (forget) {
      ctx.log(`Context window exceeded; forgetting ${forget.length} events`);
      await ctx.events.append(condensationAction(forget));
      return undefined;
    }
    ctx.log(
      justCondensed
        ? "Context window still exceeded after condensing the history"
        : "Context window exceeded with nothing left to condense",
    );
  }
  if (failure instanceof LlmError) return error("llm_error", failure.lastError, failure.kind);
  ctx.log(`Agent step failed: ${failure instanceof Error ? failure.stack : String(failure)}`);
  const name = failure instanceof Error ? failure.name : "Error";
  return error(
    "internal_error",
    `${name}: ${failure instanceof Error ? failure.message : failure}`,
  );
}

function abortEnd(ctx: Context): End {
  if (ctx.wall?.aborted) {
    return error("wall_clock", `Timeout after ${ctx.options.limits.wallClockSeconds} seconds`);
  }
  return { exit: { reason: "aborted" }, state: "stopped", lastError: null };
}

function error(reason: EpisodeExitReason, lastError: string, detail?: string): End {
  return {
    exit: { reason, ...(detail === undefined ? {} : { detail }) },
    state: "error",
    lastError,
  };
}

function metadataOf(action: ActionEventDict) {
  return action.tool_call_metadata ? { tool_call_metadata: action.tool_call_metadata } : {};
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
