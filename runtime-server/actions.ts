/**
 * Executes OpenHands actions (`run`, `read`, `write`, `edit`, ...) one at a time and answers
 * their observations, as `ActionExecutor` in `action_execution_server.py` does.
 *
 * @module
 */

import {
  dirname,
  encodeBase64,
  extname,
  isBinaryFile,
  pyStrip,
  resolveAgainst,
  splitLinesKeepEnds,
  statOrNull,
  universalNewlines,
} from "./_private.ts";
import { type BashSession, defaultShellEnv } from "./bash_session.ts";
import { multipleCommandsMessage, splitBashCommands } from "./bash_split.ts";
import { unifiedDiff } from "./diff.ts";
import { type EditorCall, FileEditor, ToolError } from "./editor.ts";
import {
  cmdOutputObservation,
  defaultMetadata,
  errorObservation,
  fileEditObservation,
  fileReadObservation,
  fileWriteObservation,
  type Observation,
} from "./observations.ts";
import { runStaticCommand } from "./static_command.ts";

/** What the executor needs to know about its sandbox. */
export interface ActionExecutorOptions {
  /** The `--working-dir` (editor root for path suggestions). */
  workDir: string;
  /** The `--user-id` that new files written by `write` are given. */
  userId: number;
  /** The persistent shell. */
  bash: BashSession;
}

type Args = Record<string, unknown>;

const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".bmp": "image/bmp",
  ".gif": "image/gif",
};
const VIDEO_TYPES: Record<string, string> = {
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".ogg": "audio/ogg",
};

/** Runs actions serially (like the server's lock) and turns them into observations. */
export class ActionExecutor {
  #options: ActionExecutorOptions;
  #editor: FileEditor;
  #queue: Promise<unknown> = Promise.resolve();

  /** Creates an executor around a started bash session. */
  constructor(options: ActionExecutorOptions) {
    this.#options = options;
    this.#editor = new FileEditor(options.workDir);
  }

  /** Executes one serialized action (`{"action": type, "args": {...}, "timeout": s, ...}`). */
  run(action: Record<string, unknown>): Promise<Observation> {
    const next = this.#queue.then(() => this.#dispatch(action));
    this.#queue = next.catch(() => {});
    return next;
  }

  async #dispatch(action: Record<string, unknown>): Promise<Observation> {
    const type = String(action.action);
    const args: Args = isObject(action.args) ? action.args : {};
    const timeout = typeof action.timeout === "number" && action.timeout > 0
      ? action.timeout
      : null;
    switch (type) {
      case "run":
        return await this.#runCommand(args, timeout);
      case "read":
        return await this.#read(args);
      case "write":
        return await this.#write(args);
      case "edit":
        return await this.#edit(args);
      case "run_ipython":
        return errorObservation("JupyterRequirement not found. Unable to run IPython action.");
      case "browse":
      case "browse_interactive":
        return errorObservation("Browser functionality is not supported or disabled.");
      default:
        return errorObservation(
          `Action ${type} is not supported in the current runtime.`,
          "AGENT_ERROR$BAD_ACTION",
        );
    }
  }

  async #runCommand(args: Args, timeout: number | null): Promise<Observation> {
    const bash = this.#options.bash;
    const command = typeof args.command === "string" ? args.command : "";
    const hidden = truthy(args.hidden);
    try {
      if (truthy(args.is_static)) {
        // OpenHands runs it in a fresh BashSession, whose `execute` checks it as for any session
        const stripped = pyStrip(command);
        if (stripped === "" || truthy(args.is_input)) {
          return cmdOutputObservation(
            stripped === ""
              ? "ERROR: No previous running command to retrieve logs from."
              : "ERROR: No previous running command to interact with.",
            "",
            defaultMetadata(),
          );
        }
        const commands = splitBashCommands(stripped);
        if (commands.length > 1) return errorObservation(multipleCommandsMessage(commands));
        const cwd = typeof args.cwd === "string" && args.cwd ? args.cwd : bash.cwd;
        return await runStaticCommand(stripped, cwd, timeout, defaultShellEnv(), hidden);
      }
      return await bash.execute({
        command,
        isInput: truthy(args.is_input),
        blocking: truthy(args.blocking),
        timeout,
        hidden,
      });
    } catch (error) {
      return errorObservation(error instanceof Error ? error.message : String(error));
    }
  }

  async #read(args: Args): Promise<Observation> {
    const path = String(args.path ?? "");
    const workingDir = this.#options.bash.cwd;
    const filepath = resolveAgainst(workingDir, path);
    if (await isBinaryFile(filepath)) return errorObservation("ERROR_BINARY_FILE");
    if (args.impl_source === "oh_aci") {
      const content = await this.#editorOutput({
        command: "view",
        path,
        viewRange: args.view_range,
      });
      return fileReadObservation(content.output, path, "oh_aci");
    }
    const ext = extname(filepath);
    try {
      const image = IMAGE_TYPES[ext];
      const video = VIDEO_TYPES[ext];
      if (image || video || ext === ".pdf") {
        const bytes = await Deno.readFile(filepath);
        const mime = image ?? video ?? "application/pdf";
        return fileReadObservation(
          `data:${mime};base64,${encodeBase64(bytes)}`,
          filepath,
          "default",
        );
      }
      const text = new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(filepath));
      const lines = readLines(
        splitLinesKeepEnds(universalNewlines(text)),
        intArg(args.start, 0),
        intArg(args.end, -1),
      );
      return fileReadObservation(lines.join(""), filepath, "default");
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return errorObservation(
          `File not found: ${filepath}. Your current working directory is ${workingDir}.`,
        );
      }
      if (error instanceof TypeError) {
        return errorObservation(`File could not be decoded as utf-8: ${filepath}.`);
      }
      if (error instanceof Deno.errors.IsADirectory) {
        return errorObservation(`Path is a directory: ${filepath}. You can only read files`);
      }
      throw error;
    }
  }

  async #write(args: Args): Promise<Observation> {
    const filepath = resolveAgainst(this.#options.bash.cwd, String(args.path ?? ""));
    const insert = String(args.content ?? "").split("\n");
    const parent = dirname(filepath);
    if (!(await statOrNull(parent))) await Deno.mkdir(parent, { recursive: true });
    const existing = await statOrNull(filepath);
    try {
      let text: string;
      if (!existing) {
        text = insert.map((line) => line + "\n").join("");
      } else {
        if (existing.isDirectory) {
          return errorObservation(`Path is a directory: ${filepath}. You can only write to files`);
        }
        let old: string;
        try {
          old = new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(filepath));
        } catch (error) {
          if (error instanceof TypeError) {
            return errorObservation(`File could not be decoded as utf-8: ${filepath}`);
          }
          throw error;
        }
        text = insertLines(
          insert,
          splitLinesKeepEnds(universalNewlines(old)),
          intArg(args.start, 0),
          intArg(args.end, -1),
        ).join("");
      }
      await Deno.writeTextFile(filepath, text);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return errorObservation(`File not found: ${filepath}`);
      }
      if (error instanceof Deno.errors.IsADirectory) {
        return errorObservation(`Path is a directory: ${filepath}. You can only write to files`);
      }
      throw error;
    }
    if (!existing) {
      try {
        await Deno.chmod(filepath, 0o664);
        await Deno.chown(filepath, this.#options.userId, this.#options.userId);
      } catch (error) {
        // Only root can give files away; as another user the file simply stays ours.
        if (Deno.uid() === 0) {
          return errorObservation(
            `File ${filepath} written, but failed to change ownership and permissions: ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        }
      }
    }
    return fileWriteObservation(filepath);
  }

  async #edit(args: Args): Promise<Observation> {
    const path = String(args.path ?? "");
    if (args.impl_source === "llm_based_edit" || typeof args.command !== "string") {
      return errorObservation(
        "Only the oh_aci file editor (str_replace_editor) is supported by this runtime.",
      );
    }
    const oldStr = stringOrNull(args.old_str);
    const newStr = stringOrNull(args.new_str);
    let insertLine: number | null = null;
    if (typeof args.insert_line === "string") {
      const text = args.insert_line.trim();
      if (!/^[+-]?\d+$/.test(text)) {
        return fileEditObservation(
          `ERROR:\nInvalid insert_line value: '${args.insert_line}'. Expected an integer.`,
          { path, oldContent: oldStr, newContent: newStr, diff: "" },
        );
      }
      insertLine = Number.parseInt(text, 10);
    } else if (typeof args.insert_line === "number") {
      insertLine = args.insert_line;
    }
    const result = await this.#editorOutput({
      command: args.command,
      path,
      fileText: stringOrNull(args.file_text),
      oldStr,
      newStr,
      insertLine,
    });
    return fileEditObservation(result.output, {
      path,
      oldContent: oldStr,
      newContent: newStr,
      diff: unifiedDiff(result.oldContent ?? "", result.newContent ?? "", path),
    });
  }

  /** `_execute_file_editor`: editor errors become `ERROR:\n<message>` output. */
  async #editorOutput(
    call: EditorCall,
  ): Promise<{ output: string; oldContent: string | null; newContent: string | null }> {
    try {
      return await this.#editor.run(call);
    } catch (error) {
      if (error instanceof ToolError) {
        return { output: `ERROR:\n${error.message}`, oldContent: null, newContent: null };
      }
      throw error;
    }
  }
}

/** `openhands.runtime.utils.files.read_lines`. */
function readLines(all: string[], start: number, end: number): string[] {
  start = Math.min(Math.max(start, 0), all.length);
  end = end === -1 ? -1 : Math.min(Math.max(end, 0), all.length);
  if (end === -1) return start === 0 ? all : all.slice(start);
  const begin = Math.max(0, Math.min(start, all.length - 2));
  return all.slice(begin, Math.max(begin + 1, end));
}

/** `openhands.runtime.utils.files.insert_lines`. */
function insertLines(toInsert: string[], original: string[], start: number, end: number) {
  const lines = start === 0 ? [""] : original.slice(0, start);
  lines.push(...toInsert.map((line) => line + "\n"));
  lines.push(...(end === -1 ? [""] : original.slice(end)));
  return lines;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function truthy(value: unknown): boolean {
  if (typeof value === "string") return ["true", "1", "yes", "on"].includes(value.toLowerCase());
  return Boolean(value);
}

function intArg(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) ? value : fallback;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
