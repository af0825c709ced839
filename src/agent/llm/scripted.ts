/**
 * The scripted model (`model = "scripted:<file>"`): replays the turns of a script file (see
 * src/config/llm_script.ts) in-process, one per call, as OpenAI `ChatCompletion`s. It sits behind
 * the same {@linkcode Transport} interface as the OpenAI client, so retries, metrics and
 * completion logs behave the same. Token usage is the script's, or estimated as characters / 4.
 *
 * @module
 */
import { LlmError } from "./errors.ts";
import { loadScript, type ScriptTurn } from "../../config/llm_script.ts";
import type { ChatCompletion, Transport, TransportReply } from "./types.ts";

/** Replays a script; each instance starts at the first turn. */
export class ScriptedTransport implements Transport {
  #next = 0;

  private constructor(readonly file: string, readonly turns: readonly ScriptTurn[]) {}

  /** Reads the script file. */
  static async open(file: string): Promise<ScriptedTransport> {
    return new ScriptedTransport(file, await loadScript(file));
  }

  send(body: Record<string, unknown>, signal: AbortSignal): Promise<TransportReply> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const index = this.#next;
    const turn = this.turns[index];
    if (turn === undefined) {
      return Promise.reject(
        new LlmError(
          "script_exhausted",
          `Model script "${this.file}" has no turn ${index + 1} (it has ${this.turns.length})`,
        ),
      );
    }
    this.#next++;
    return Promise.resolve({ completion: completionOf(turn, index, body) });
  }
}

function completionOf(turn: ScriptTurn, index: number, body: Record<string, unknown>) {
  const toolCalls = (turn.tool_calls ?? []).map((call, i) => ({
    id: call.id ?? `call_s${index + 1}_${i + 1}`,
    type: "function" as const,
    function: {
      name: call.name,
      arguments: typeof call.arguments === "string"
        ? call.arguments
        : JSON.stringify(call.arguments ?? {}),
    },
  }));
  const content = turn.content ?? null;
  const replyChars = (content ?? "").length +
    toolCalls.reduce((n, c) => n + c.function.name.length + c.function.arguments.length, 0);
  const promptTokens = turn.usage?.prompt_tokens ??
    Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
  const completionTokens = turn.usage?.completion_tokens ?? Math.ceil(replyChars / 4);
  const completion: ChatCompletion = {
    id: `scripted-${index + 1}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: String(body.model ?? "scripted"),
    choices: [{
      index: 0,
      finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      logprobs: null,
      message: {
        role: "assistant",
        content,
        refusal: null,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      },
    }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      ...(turn.usage?.cached_tokens === undefined
        ? {}
        : { prompt_tokens_details: { cached_tokens: turn.usage.cached_tokens } }),
    },
  };
  return completion;
}
