/**
 * OpenHands event dicts (what `event_to_dict` writes into `output.jsonl` histories) and the log
 * an episode appends them to. Actions carry `action`/`args` (and a top-level `timeout`),
 * observations `observation`/`content`/`extras` and the `cause` id of their action; both may
 * carry `tool_call_metadata`, actions of an LLM agent also `llm_metrics`.
 *
 * @module
 */
import type { MetricsSnapshot } from "./llm/metrics.ts";
import type { ChatCompletion } from "./llm/types.ts";
import { redactDeep } from "../redact.ts";

/** The OpenHands version whose event and message shapes velora writes. */
export const OPENHANDS_VERSION = "0.62.0";

/** Who an event comes from. */
export type EventSource = "agent" | "user" | "environment";

/** Links an action (and its observation) to the tool call it came from. */
export interface ToolCallMetadata {
  function_name: string;
  tool_call_id: string;
  /** The whole completion the call was in. */
  model_response: ChatCompletion;
  total_calls_in_response: number;
}

/** An action event. */
export interface ActionEventDict {
  id: number;
  timestamp: string;
  source: EventSource;
  message: string;
  action: string;
  args: Record<string, unknown>;
  /** Hard timeout in seconds (top level, as OpenHands writes it). */
  timeout?: number;
  tool_call_metadata?: ToolCallMetadata;
  llm_metrics?: MetricsSnapshot;
}

/** An observation event. */
export interface ObservationEventDict {
  id: number;
  timestamp: string;
  source: EventSource;
  message: string;
  /** The id of the action this observes. */
  cause?: number;
  observation: string;
  content: string;
  extras: Record<string, unknown>;
  success?: boolean;
  tool_call_metadata?: ToolCallMetadata;
}

/** Any history event. */
export type EventDict = ActionEventDict | ObservationEventDict;

/** An action before the log gives it an id and a timestamp. */
export type NewAction = Omit<ActionEventDict, "id" | "timestamp">;

/** An observation before the log gives it an id and a timestamp. */
export type NewObservation = Omit<ObservationEventDict, "id" | "timestamp">;

/** True for action events. */
export function isAction(event: EventDict): event is ActionEventDict {
  return "action" in event;
}

/** True for observation events. */
export function isObservation(event: EventDict): event is ObservationEventDict {
  return "observation" in event;
}

/** Receives each event as it is appended (secrets already redacted). */
export type OnEvent = (event: EventDict) => void | Promise<void>;

/** The growing history of one episode. */
export class EventLog {
  readonly #events: EventDict[] = [];
  readonly #onEvent?: OnEvent;

  constructor(onEvent?: OnEvent) {
    if (onEvent) this.#onEvent = onEvent;
  }

  /** The events so far, as the agent sees them (not redacted). */
  get events(): readonly EventDict[] {
    return this.#events;
  }

  /** The next id. */
  get nextId(): number {
    return this.#events.length;
  }

  /** Appends an event, giving it the next id and the current time; calls `onEvent`. */
  async append<T extends NewAction | NewObservation>(
    event: T,
  ): Promise<T & { id: number; timestamp: string }> {
    const full = { id: this.#events.length, timestamp: timestamp(), ...event };
    this.#events.push(full as EventDict);
    await this.#onEvent?.(this.redacted(full as EventDict));
    return full;
  }

  /** The history as it leaves the episode: deep copies with secrets replaced by `****`. */
  history(): EventDict[] {
    return this.#events.map((event) => this.redacted(event));
  }

  private redacted(event: EventDict): EventDict {
    return redactDeep(structuredClone(event)) as EventDict;
  }
}

/** Python's `datetime.now().isoformat()`: local time, microseconds, no zone. */
export function timestamp(date: Date = new Date()): string {
  const p = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T` +
    `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.` +
    `${p(date.getMilliseconds(), 3)}000`;
}
