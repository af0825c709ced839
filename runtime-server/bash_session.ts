/**
 * A persistent bash session with OpenHands `BashSession` semantics, without tmux.
 *
 * Two transports, chosen once at start:
 * - `pty` (preferred): bash runs on a real terminal made by `script -qfc ... /dev/null`
 *   (util-linux/bsdutils). `C-c`/`C-d`/`C-z` are the terminal's control bytes, so job control,
 *   end-of-file and interactive prompts behave as in tmux, and programs line-buffer their output.
 * - `pipe` (fallback when `script` is missing or fails): an interactive bash on plain pipes.
 *   `C-c` (and `C-z`: a shell without a terminal has no job control to suspend with) sends SIGINT
 *   to the shell and to the running command's process tree, found through `/proc`. Each command
 *   reads its standard input from a FIFO of its own, so input goes to the command rather than to
 *   the shell, and `C-d` closes it: the command sees end-of-file, as on a terminal.
 *
 * Each command is written to a file and the shell is sent `eval "$(< '<file>')"`, so commands of
 * any length and shape (heredocs, several lines) reach bash intact and run as if typed at the
 * prompt (`sleep 9 &` prints its job notice `[1] 2740`, which a sourced file does not). A command
 * holding several top-level commands is refused first, as OpenHands refuses it (bash_split.ts).
 * The prompt is a marker with `$?`, `$!`, user, host, `python` path and `$PWD`; its arrival ends
 * a command.
 * Output is kept in a bounded head + tail buffer.
 *
 * @module
 */

import {
  catchInterruptSignals,
  descendantPids,
  findExecutable,
  pyLstrip,
  pyRstrip,
  pyStrip,
  pythonFloat,
  statOrNull,
  trySignal,
} from "./_private.ts";
import { multipleCommandsMessage, splitBashCommands } from "./bash_split.ts";
import {
  type CmdOutputMetadata,
  cmdOutputObservation,
  defaultMetadata,
  errorObservation,
  type Observation,
  TRUNCATION_NOTICE,
} from "./observations.ts";
import { BoundedOutput } from "./output_buffer.ts";
import { type PromptInfo, PromptScanner, promptSetup } from "./prompt_marker.ts";
import { renderTerminalText } from "./terminal_text.ts";

/** How the shell is connected: a pseudo-terminal through `script`, or plain pipes. */
export type BashMode = "pty" | "pipe";

/** Options of {@linkcode BashSession.start}. */
export interface BashSessionOptions {
  /** Directory the shell starts in (and restarts in when its last one is gone). */
  workDir: string;
  /** Seconds without new output after which a non-blocking command returns (soft timeout). */
  noChangeTimeoutSeconds: number;
  /** Transport; `auto` (default) tries `pty` and falls back to `pipe`. */
  mode?: BashMode | "auto";
  /** The shell's whole environment (default: this process's, without `SESSION_API_KEY`). */
  env?: Record<string, string>;
  /** How long to wait for the first prompt, in milliseconds (default 20000). */
  startTimeoutMs?: number;
}

/** One `run` action as the session needs it. */
export interface RunRequest {
  command: string;
  isInput: boolean;
  /** `blocking` actions have no soft timeout. */
  blocking: boolean;
  /** Hard timeout in seconds, or null. */
  timeout: number | null;
  hidden: boolean;
}

type Status = "completed" | "no_change_timeout" | "hard_timeout" | null;

/** OpenHands' `TIMEOUT_MESSAGE_TEMPLATE` (0.6x). */
export const TIMEOUT_MESSAGE = "You may wait longer to see additional output by sending empty " +
  "command '', send other commands to interact with the current process, send keys " +
  '("C-c", "C-z", "C-d") to interrupt/kill the previous command before sending your new ' +
  "command, or use the timeout parameter in execute_bash for future commands.";

const CONTINUE_PREFIX = "[Below is the output of the previous command.]\n";
const COLUMNS = 1000;
const ROWS = 1000;

/** A long-lived bash shell that executes OpenHands `run` actions. */
export class BashSession {
  #options: BashSessionOptions;
  #mode: BashMode = "pipe";
  #proc: Deno.ChildProcess | null = null;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #done: Promise<void> = Promise.resolve();
  #watchdog: Watchdog | null = null;
  #tmpDir = "";
  #counter = 0;
  #out = new BoundedOutput();
  #lastOutputAt = 0;
  #cwd: string;
  #lastInfo: PromptInfo | null = null;
  #running = false; // a command (or input) was sent and its prompt has not come yet
  #finished: PromptInfo | null = null; // the prompt that ended the running command, not reported yet
  #prevStatus: Status = null;
  #continued = false; // an observation was already returned for the running command
  #echo: Uint8Array | null = null; // the terminal's echo of the line we typed, to drop from output
  #stdinFifo: string | null = null; // pipe mode: the FIFO commands read their input from
  #stdin: Deno.FsFile | null = null; // pipe mode: the running command's input, open while it runs
  #exited = false;
  #waiters: (() => void)[] = [];
  #encoder = new TextEncoder();

  private constructor(options: BashSessionOptions) {
    this.#options = options;
    this.#cwd = options.workDir;
  }

  /** Starts a session (`auto` mode: a terminal through `script` when it works, else pipes). */
  static async start(options: BashSessionOptions): Promise<BashSession> {
    const session = new BashSession(options);
    const wanted = options.mode ?? "auto";
    if (wanted !== "pipe") {
      try {
        await session.#launch("pty");
        return session;
      } catch (error) {
        if (wanted === "pty") throw error;
        console.error(
          `velora runtime server: cannot use a terminal for bash (${
            error instanceof Error ? error.message : String(error)
          }); using pipes`,
        );
        await session.#shutdown();
      }
    }
    await session.#launch("pipe");
    return session;
  }

  /** The transport in use. */
  get mode(): BashMode {
    return this.#mode;
  }

  /** The shell's working directory as of its last prompt. */
  get cwd(): string {
    return this.#cwd;
  }

  /** Runs one `run` action and answers its `CmdOutputObservation`. */
  async execute(request: RunRequest): Promise<Observation> {
    if (this.#exited) await this.#restart();
    const command = pyStrip(request.command);
    const hidden = request.hidden;
    const previousStillRunning = this.#prevStatus === "no_change_timeout" ||
      this.#prevStatus === "hard_timeout";
    if (!previousStillRunning) {
      if (command === "") {
        return cmdOutputObservation(
          "ERROR: No previous running command to retrieve logs from.",
          "",
          defaultMetadata(),
        );
      }
      if (request.isInput) {
        return cmdOutputObservation(
          "ERROR: No previous running command to interact with.",
          "",
          defaultMetadata(),
        );
      }
    }
    const commands = splitBashCommands(command);
    if (commands.length > 1) return errorObservation(multipleCommandsMessage(commands));
    if (this.#finished) {
      // The previous command ended since the last observation.
      if (command === "") return this.#completed(command, false, hidden);
      this.#finished = null;
    }
    if (this.#running && !request.isInput && command !== "") {
      return this.#notExecuted(command, hidden);
    }
    if (!this.#running) {
      this.#out.reset();
      this.#continued = false;
      this.#echo = null;
    }
    const start = Date.now();
    if (command !== "") await this.#send(command, request.isInput);
    return await this.#wait(command, request, start);
  }

  /** Stops the shell and everything it started, and removes its temporary files. */
  async close(): Promise<void> {
    await this.#shutdown();
  }

  async #launch(mode: BashMode): Promise<void> {
    this.#mode = mode;
    this.#exited = false;
    this.#running = false;
    this.#finished = null;
    this.#prevStatus = null;
    this.#continued = false;
    this.#echo = null;
    this.#out.reset();
    this.#tmpDir = await Deno.makeTempDir({ prefix: "velora-bash-" });
    const nonce = crypto.randomUUID().replaceAll("-", "");
    const bash = findExecutable("bash");
    if (!bash) throw new Error('Cannot find "bash" on PATH');
    const env = this.#options.env ?? defaultShellEnv();
    const cwd = (await statOrNull(this.#cwd))?.isDirectory ? this.#cwd : this.#options.workDir;
    let command: Deno.Command;
    if (mode === "pty") {
      const script = findExecutable("script");
      if (!script) throw new Error('Cannot find "script" on PATH');
      command = new Deno.Command(script, {
        args: ["-qefc", `exec '${bash}' --noprofile --norc --noediting -i`, "/dev/null"],
        env: { ...env, SHELL: bash },
        clearEnv: true,
        cwd,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      });
    } else {
      command = new Deno.Command(bash, {
        args: ["--noprofile", "--norc", "--noediting", "-i"],
        env: { PYTHONUNBUFFERED: "1", ...env },
        clearEnv: true,
        cwd,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      });
    }
    catchInterruptSignals();
    const proc = command.spawn();
    this.#proc = proc;
    this.#writer = proc.stdin.getWriter();
    let firstPrompt = false;
    const scanner = new PromptScanner(
      nonce,
      (bytes) => this.#onData(bytes),
      (info) => {
        firstPrompt = true;
        this.#onPrompt(info);
      },
    );
    const pumpOut = (async () => {
      for await (const chunk of proc.stdout) scanner.push(chunk);
      scanner.flush();
    })();
    const pumpErr = (async () => {
      for await (const chunk of proc.stderr) this.#onData(chunk);
    })();
    this.#done = (async () => {
      await Promise.allSettled([pumpOut, pumpErr]);
      const status = await proc.status;
      this.#exited = true;
      if (this.#running && !this.#finished) {
        const last = this.#lastInfo;
        this.#finished = {
          exitCode: status.code,
          pid: -1,
          username: last?.username ?? "",
          hostname: last?.hostname ?? "",
          pyInterpreterPath: last?.pyInterpreterPath ?? "",
          workingDir: this.#cwd,
        };
        this.#running = false;
      }
      this.#notify();
    })();

    const init = [
      mode === "pty"
        ? `stty -onlcr cols ${COLUMNS} rows ${ROWS} 2>/dev/null; set -o ignoreeof`
        : `exec 2>&1; mkfifo -m 600 '${this.#tmpDir}/stdin' 2>/dev/null`,
      "unset HISTFILE",
      `__velora_user=$(id -un 2>/dev/null || echo "$USER")`,
      ...promptSetup(nonce),
      `alias git="git --no-pager"`,
      // Gives a command the `$?` of the one before, which reading its file changed (not under
      // `set -e`, where a non-zero status would end the shell).
      '__velora_restore() { case $- in *e*) return 0 ;; esac; return "$1"; }',
      "",
    ].join("\n");
    const initFile = `${this.#tmpDir}/init.sh`;
    await Deno.writeTextFile(initFile, init);
    this.#running = true;
    await this.#write(`. '${initFile}'\n`);
    const deadline = Date.now() + (this.#options.startTimeoutMs ?? 20000);
    while (!firstPrompt && !this.#exited && Date.now() < deadline) {
      await this.#waitForChange(Math.min(200, deadline - Date.now()));
    }
    if (!firstPrompt) {
      const early = new TextDecoder().decode(partsBytes(this.#out)).trim().slice(0, 500);
      throw new Error(
        `The ${mode} shell did not start${early ? `: ${JSON.stringify(early)}` : ""}`,
      );
    }
    this.#finished = null;
    this.#running = false;
    this.#out.reset();
    const fifo = `${this.#tmpDir}/stdin`;
    this.#stdinFifo = mode === "pipe" && (await statOrNull(fifo))?.isFifo ? fifo : null;
    const shell = mode === "pty" ? descendantPids(proc.pid)[0] ?? proc.pid : proc.pid;
    this.#watchdog = startWatchdog(bash, [proc.pid, shell]);
  }

  async #restart(): Promise<void> {
    await this.#shutdown();
    await this.#launch(this.#mode);
  }

  async #shutdown(): Promise<void> {
    this.#closeStdin();
    const watchdog = this.#watchdog;
    this.#watchdog = null;
    const proc = this.#proc;
    if (proc) {
      for (const pid of descendantPids(proc.pid).reverse()) trySignal(pid, "SIGKILL");
      trySignal(proc.pid, "SIGKILL");
      try {
        await this.#writer?.close();
      } catch {
        // the shell is gone
      }
      await this.#done;
      this.#proc = null;
      this.#writer = null;
    }
    await watchdog?.stop();
    if (this.#tmpDir) {
      await Deno.remove(this.#tmpDir, { recursive: true }).catch(() => {});
      this.#tmpDir = "";
    }
  }

  #onData(bytes: Uint8Array): void {
    this.#out.push(bytes);
    this.#lastOutputAt = Date.now();
  }

  #onPrompt(info: PromptInfo): void {
    this.#lastInfo = info;
    if (info.workingDir) this.#cwd = info.workingDir;
    if (this.#running) {
      this.#running = false;
      this.#finished = info;
    }
    this.#notify();
  }

  async #send(command: string, isInput: boolean): Promise<void> {
    this.#running = true;
    if (isSpecialKey(command)) {
      this.#echo = null;
      const key = command[2]!;
      if (this.#mode === "pty") {
        await this.#writeBytes(new Uint8Array([controlByte(key)]));
      } else if (key === "d" && this.#stdin) {
        this.#closeStdin();
      } else {
        this.#interrupt(key === "\\" ? "SIGQUIT" : "SIGINT");
      }
      return;
    }
    if (isInput) {
      this.#echo = null;
      if (this.#stdin) await writeAll(this.#stdin, this.#encoder.encode(command + "\n"));
      else await this.#write(command + "\n");
      return;
    }
    const file = `${this.#tmpDir}/cmd-${++this.#counter}.sh`;
    await Deno.writeTextFile(file, command + "\n");
    let line = `eval "__velora_restore $?; $(< '${file}')"`;
    if (this.#stdinFifo) {
      // Opened for reading and writing, which never blocks on a FIFO; closing it is end-of-file.
      this.#closeStdin();
      this.#stdin = await Deno.open(this.#stdinFifo, { read: true, write: true });
      line += ` < '${this.#stdinFifo}'`;
    }
    this.#echo = this.#mode === "pty" ? this.#encoder.encode(line) : null;
    await this.#write(line + "\n");
  }

  /**
   * Pipe mode: signal the shell, then the running command's process tree. The order matters: a
   * shell without job control abandons the rest of a command list (`sleep 30; echo never`) only
   * when its own SIGINT is pending by the time it sees the child die; the other way round it runs
   * `echo never`, and the late SIGINT then ends the *next* command with exit code 130.
   */
  #interrupt(signal: Deno.Signal): void {
    const shell = this.#proc?.pid;
    if (shell === undefined) return;
    const tree = descendantPids(shell);
    trySignal(shell, "SIGINT");
    for (const pid of tree) trySignal(pid, signal);
  }

  async #wait(command: string, request: RunRequest, start: number): Promise<Observation> {
    const softMs = this.#options.noChangeTimeoutSeconds * 1000;
    const hardMs = request.timeout ? request.timeout * 1000 : 0;
    while (true) {
      if (this.#finished) return this.#completed(command, request.isInput, request.hidden);
      const now = Date.now();
      const lastChange = Math.max(start, this.#lastOutputAt);
      if (!request.blocking && now - lastChange >= softMs) {
        return this.#timedOut(
          command,
          request.isInput,
          request.hidden,
          "no_change_timeout",
          `\n[The command has no new output after ${this.#options.noChangeTimeoutSeconds} ` +
            `seconds. ${TIMEOUT_MESSAGE}]`,
        );
      }
      if (hardMs > 0 && now - start >= hardMs) {
        return this.#timedOut(
          command,
          request.isInput,
          request.hidden,
          "hard_timeout",
          `\n[The command timed out after ${pythonFloat(request.timeout!)} seconds. ` +
            `${TIMEOUT_MESSAGE}]`,
        );
      }
      let waitMs = 1000;
      if (!request.blocking) waitMs = Math.min(waitMs, lastChange + softMs - now);
      if (hardMs > 0) waitMs = Math.min(waitMs, start + hardMs - now);
      await this.#waitForChange(Math.max(1, waitMs));
    }
  }

  #completed(command: string, isInput: boolean, hidden: boolean): Observation {
    const info = this.#finished!;
    this.#finished = null;
    this.#running = false;
    this.#closeStdin();
    const content = this.#render(command, isInput);
    const metadata: CmdOutputMetadata = {
      exit_code: info.exitCode,
      pid: info.pid,
      username: info.username,
      hostname: info.hostname,
      working_dir: info.workingDir || this.#cwd,
      py_interpreter_path: info.pyInterpreterPath,
      prefix: "",
      suffix: isSpecialKey(command)
        ? `\n[The command completed with exit code ${info.exitCode}. CTRL+${
          command.at(-1)!.toUpperCase()
        } was sent.]`
        : `\n[The command completed with exit code ${info.exitCode}.]`,
    };
    this.#prevStatus = "completed";
    this.#continued = false;
    this.#out.reset();
    return cmdOutputObservation(content, command, metadata, hidden);
  }

  #timedOut(
    command: string,
    isInput: boolean,
    hidden: boolean,
    status: Status,
    suffix: string,
  ): Observation {
    const metadata = defaultMetadata();
    metadata.prefix = this.#continued ? CONTINUE_PREFIX : "";
    metadata.suffix = suffix;
    const content = this.#render(command, isInput);
    this.#prevStatus = status;
    this.#continued = true;
    this.#out.reset();
    return cmdOutputObservation(content, command, metadata, hidden);
  }

  #notExecuted(command: string, hidden: boolean): Observation {
    const metadata = defaultMetadata();
    metadata.prefix = this.#continued ? CONTINUE_PREFIX : "";
    metadata.suffix = `\n[Your command "${command}" is NOT executed. The previous command is ` +
      "still running - You CANNOT send new commands until the previous command is completed. " +
      "By setting `is_input` to `true`, you can interact with the current process: " +
      `${TIMEOUT_MESSAGE}]`;
    const content = this.#render(command, false);
    this.#continued = true;
    this.#out.reset();
    return cmdOutputObservation(content, command, metadata, hidden);
  }

  /** The output gathered since the last observation, as OpenHands would present it. */
  #render(command: string, isInput: boolean): string {
    const parts = this.#out.parts();
    let head = parts.gap ? parts.head : parts.bytes;
    if (this.#echo) {
      const cut = findEcho(head, this.#echo);
      if (cut >= 0) {
        head = head.subarray(cut);
        this.#echo = null;
      }
    }
    const decoder = new TextDecoder();
    let text = pyLstrip(renderTerminalText(decoder.decode(head)));
    if (isInput && this.#mode === "pty") {
      // The terminal echoed the input; OpenHands drops it as the "command prefix".
      const echoed = pyLstrip(command);
      if (echoed && text.startsWith(echoed)) text = pyLstrip(text.slice(echoed.length));
    }
    if (parts.gap) {
      text += TRUNCATION_NOTICE + renderTerminalText(decoder.decode(parts.tail));
    }
    return pyRstrip(text);
  }

  /** Pipe mode: ends the running command's input (what it has not read is dropped). */
  #closeStdin(): void {
    const stdin = this.#stdin;
    this.#stdin = null;
    try {
      stdin?.close();
    } catch {
      // already closed
    }
  }

  async #write(text: string): Promise<void> {
    await this.#writeBytes(this.#encoder.encode(text));
  }

  async #writeBytes(bytes: Uint8Array): Promise<void> {
    try {
      await this.#writer!.write(bytes);
    } catch {
      // The shell exited; the exit is reported through #done.
    }
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.#waiters;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      waiters.push(done);
    });
  }
}

/** A helper process that kills the shell's sessions once this server is gone. */
interface Watchdog {
  /** Lets the watchdog do its work now and waits for it. */
  stop(): Promise<void>;
}

/**
 * Starts a small bash process that waits for end-of-file on its stdin, a pipe only this server
 * writes to, then kills every process in the given sessions. The kernel closes the pipe however
 * the server ends (even SIGKILL), so a crashed server leaves no shell behind.
 */
function startWatchdog(bash: string, sessions: number[]): Watchdog {
  const script = [
    "read -r _",
    'wanted=" $* "',
    "for f in /proc/[0-9]*/stat; do",
    '  read -r line < "$f" 2>/dev/null || continue',
    "  rest=${line##*) }",
    "  set -- $rest",
    '  case "$wanted" in *" $4 "*) p=${f#/proc/}; kill -KILL "${p%/stat}" 2>/dev/null ;; esac',
    "done",
  ].join("\n");
  const proc = new Deno.Command(bash, {
    args: ["-c", script, "velora-watchdog", ...sessions.map(String)],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  const writer = proc.stdin.getWriter();
  return {
    async stop() {
      await writer.close().catch(() => {});
      await proc.status;
    },
  };
}

/** The environment a shell gets by default: this process's, without the session API key. */
export function defaultShellEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.SESSION_API_KEY;
  env.TERM ??= "dumb";
  env.PAGER ??= "cat";
  env.GIT_PAGER ??= "cat";
  return env;
}

/** Whether a stripped command is a special key such as `C-c` (OpenHands `_is_special_key`). */
function isSpecialKey(command: string): boolean {
  return command.startsWith("C-") && command.length === 3;
}

/** The control byte a terminal sends for Ctrl+`key`. */
function controlByte(key: string): number {
  return key.toUpperCase().charCodeAt(0) & 0x1f;
}

/** Where output starts after the terminal's echo of `line` (and its line end), or -1. */
function findEcho(head: Uint8Array, line: Uint8Array): number {
  const limit = Math.min(head.length - line.length, 8192);
  for (let i = head.indexOf(line[0]!); i >= 0 && i <= limit; i = head.indexOf(line[0]!, i + 1)) {
    let match = true;
    for (let k = 1; k < line.length; k++) {
      if (head[i + k] !== line[k]) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    let end = i + line.length;
    if (head[end] === 0x0d) end++;
    if (head[end] === 0x0a) end++;
    return end;
  }
  return -1;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
}

function partsBytes(out: BoundedOutput): Uint8Array {
  const parts = out.parts();
  return parts.gap ? parts.head : parts.bytes;
}
