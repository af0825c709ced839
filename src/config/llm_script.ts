/**
 * The file format of a scripted model (`model = "scripted:<file>"`): a JSON list of assistant
 * turns, replayed in order, one per completion call.
 *
 * ```json
 * [
 *   { "content": "Let me look around.", "tool_calls": [
 *       { "name": "execute_bash", "arguments": { "command": "ls /workspace" } } ] },
 *   { "tool_calls": [ { "name": "finish", "arguments": { "message": "Done." } } ],
 *     "usage": { "prompt_tokens": 1200, "completion_tokens": 30 } }
 * ]
 * ```
 *
 * `arguments` is an object or the raw JSON string the model would send (so a script can send
 * malformed arguments); `usage` is optional (estimated from the text when absent).
 *
 * @module
 */
import { z } from "zod";
import { VeloraError } from "../errors.ts";

/** A script file that cannot be read or does not match the format. */
export class ScriptError extends VeloraError {}

const toolCallSchema = z.union([
  z.strictObject({
    id: z.string().optional(),
    name: z.string().min(1),
    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  }),
  z.object({
    id: z.string().optional(),
    function: z.object({ name: z.string().min(1), arguments: z.string() }),
  }).transform(({ id, function: f }) => ({
    ...(id === undefined ? {} : { id }),
    name: f.name,
    arguments: f.arguments,
  })),
]);

const turnSchema = z.strictObject({
  content: z.string().nullable().optional(),
  tool_calls: z.array(toolCallSchema).optional(),
  usage: z.strictObject({
    prompt_tokens: z.number().int().min(0),
    completion_tokens: z.number().int().min(0),
    cached_tokens: z.number().int().min(0).optional(),
  }).optional(),
});

/** One scripted assistant turn. */
export type ScriptTurn = z.infer<typeof turnSchema>;

/** Reads and validates a script file. Throws a one-line {@linkcode ScriptError}. */
export async function loadScript(file: string): Promise<ScriptTurn[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new ScriptError(`Cannot read model script "${file}": ${reason}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ScriptError(`Model script "${file}" is not JSON: ${(error as Error).message}`);
  }
  const parsed = z.array(turnSchema).min(1).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length === 0
      ? ""
      : `turn ${Number(issue.path[0]) + 1}${
        issue.path.slice(1).map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
          .join("")
      }: `;
    throw new ScriptError(
      `Model script "${file}": ${where}${issue.message} (expected a list of {content, tool_calls})`,
    );
  }
  return parsed.data;
}
