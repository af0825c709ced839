/**
 * `velora sandbox <image>`: start a sandbox and type commands into its bash session.
 *
 * On a terminal the line is read in raw mode by a small line editor (echo, editing, history);
 * otherwise lines are read as they come. Each line runs as a `run` action. A command is watched in
 * short polls ({@linkcode POLL_SECONDS}) and its output shown as it comes, until it ends; between
 * two polls a ^C is sent to it as `C-c` (`is_input`), so ^C interrupts the running command and
 * the session goes on. ^C at the prompt starts a new line; ^D (end of input) or `exit` ends the
 * session. The container is removed however velora ends: normally, on an error, on a signal.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { DEFAULT_SANDBOX_NETWORK, parseNetworkMode } from "../runtime/network.ts";
import {
  type ActionEvent,
  type CmdOutputMetadata,
  type Observation,
  runAction,
} from "../runtime/protocol.ts";
import { type BackendFlags, commandBackend } from "./_backend_flags.ts";
import { withInterrupts } from "./_interrupt.ts";
import { chunksOf, LineEditor, LineReader } from "./_line_editor.ts";

/** Flags of `velora sandbox`. */
export interface SandboxFlags extends BackendFlags {
  workdir: string;
  /** Seconds after which a command still running is sent ^C. */
  timeout?: number;
  /** none, bridge or host. @default "bridge" */
  network?: string;
}

/**
 * How long one request waits for the running command before it returns with the output so far
 * (the action's hard timeout, which does not stop the command). A ^C waits for at most this long
 * before it reaches the command.
 */
export const POLL_SECONDS = 0.5;

/** A ^C forwarded this long ago without an answer from the sandbox lets the next ^C stop velora. */
export const UNANSWERED_MS = 5_000;

/** What {@linkcode CommandRunner} needs of a sandbox. */
export interface ActionTarget {
  execute(action: ActionEvent): Promise<Observation>;
}

/** Where {@linkcode CommandRunner} shows things. */
export interface RunnerOutput {
  /** A line of command output (stdout). */
  out(line: string): void;
  /** A line from velora itself (stderr). */
  note(line: string): void;
}

/** The suffix of an observation whose command is still running. */
const STILL_RUNNING =
  /^\s*\[(The command timed out after |The command has no new output after |Your command )/;

/** Options of {@linkcode CommandRunner}. */
export interface RunnerOptions {
  /** Seconds after which a command still running is sent ^C. */
  timeout?: number | undefined;
  /** See {@linkcode POLL_SECONDS}. */
  pollSeconds?: number;
  /** The user's terminal showed the ^C already: drop the sandbox terminal's `^C` echo. */
  terminalEchoesInterrupt?: boolean;
  /** See {@linkcode UNANSWERED_MS}. */
  unansweredMs?: number;
}

/** Runs one command at a time in the sandbox's bash session, polling until it ends. */
export class CommandRunner {
  #target: ActionTarget;
  #output: RunnerOutput;
  #timeout: number | undefined;
  #pollSeconds: number;
  #echoesInterrupt: boolean;
  #unansweredMs: number;
  #running = false;
  #interruptWanted = false;
  #waitingSince: number | undefined; // when a ^C came that no observation has followed yet

  constructor(
    target: ActionTarget,
    output: RunnerOutput,
    options: RunnerOptions = {},
  ) {
    this.#target = target;
    this.#output = output;
    this.#timeout = options.timeout;
    this.#pollSeconds = options.pollSeconds ?? POLL_SECONDS;
    this.#echoesInterrupt = options.terminalEchoesInterrupt ?? false;
    this.#unansweredMs = options.unansweredMs ?? UNANSWERED_MS;
  }

  /** Whether a command is running. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * A ^C: sent to the running command at the end of the current poll. False when no command
   * runs, or when the sandbox has not answered for {@linkcode UNANSWERED_MS} since an earlier ^C
   * (then the ^C is velora's own).
   */
  interrupt(): boolean {
    if (!this.#running) return false;
    const now = performance.now();
    if (this.#waitingSince !== undefined && now - this.#waitingSince > this.#unansweredMs) {
      return false;
    }
    this.#waitingSince ??= now;
    this.#interruptWanted = true;
    return true;
  }

  /**
   * Runs `command` and shows its output until it ends. Returns the metadata of its end, or
   * undefined when `signal` aborted first or the answer was not a command's end.
   */
  async run(command: string, signal: AbortSignal): Promise<Partial<CmdOutputMetadata> | undefined> {
    this.#running = true;
    this.#interruptWanted = false;
    this.#waitingSince = undefined;
    const started = performance.now();
    let timedOut = false;
    // `typed`: a ^C the user typed, which their terminal has shown already.
    let next = { command, isInput: false, typed: false };
    try {
      while (true) {
        const observation = await unlessAborted(this.#send(next.command, next.isInput), signal);
        this.#waitingSince = undefined;
        if (observation === undefined) return undefined;
        const metadata = observation.extras.metadata as Partial<CmdOutputMetadata> | undefined;
        const suffix = metadata?.suffix ?? "";
        const content = observation.content.replace(/\s+$/, "");
        if (next.typed && this.#echoesInterrupt) {
          // The terminal shows "^C" where the cursor was: end that line, drop the sandbox's echo.
          this.#output.out(content.replace(/^\^C[^\S\n]*\n?/, ""));
        } else if (content !== "") {
          this.#output.out(content);
        }
        if (observation.observation !== "run") return undefined;
        if (!STILL_RUNNING.test(suffix)) {
          if (suffix.trim() !== "") this.#output.out(suffix.replace(/^\s+/, ""));
          return metadata;
        }
        if (signal.aborted) return undefined;
        if (this.#interruptWanted) {
          this.#interruptWanted = false;
          next = { command: "C-c", isInput: true, typed: true };
        } else if (
          !timedOut && this.#timeout !== undefined &&
          performance.now() - started >= this.#timeout * 1000
        ) {
          timedOut = true;
          this.#output.note(`[velora: still running after ${this.#timeout}s (--timeout): ^C]`);
          next = { command: "C-c", isInput: true, typed: false };
        } else {
          next = { command: "", isInput: false, typed: false };
        }
      }
    } finally {
      this.#running = false;
      this.#interruptWanted = false;
    }
  }

  #send(command: string, isInput: boolean): Promise<Observation> {
    // No `blocking`: the timeout only ends this request; the command goes on running.
    return this.#target.execute({ ...runAction(command, { isInput }), timeout: this.#pollSeconds });
  }
}

/** `promise`'s value, or undefined as soon as `signal` aborts (its late outcome is ignored). */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  promise.catch(() => {});
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Writes all of `text` to a terminal. */
function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = new TextEncoder().encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
}

/** Implements `velora sandbox`. */
export async function sandboxCommand(image: string, flags: SandboxFlags): Promise<void> {
  const network = parseNetworkMode(flags.network ?? DEFAULT_SANDBOX_NETWORK);
  const backend = await commandBackend(flags);
  if (!(await backend.imageExists(image))) {
    throw new UsageError(`Cannot start a sandbox: ${backend.missingImage(image)}`);
  }
  const started = performance.now();
  const sandbox = await backend.startSandbox({
    image,
    run: `sandbox-${crypto.randomUUID()}`,
    workingDir: flags.workdir,
    network,
  });
  const tty = Deno.stdin.isTerminal();
  const screen = Deno.stdout.isTerminal() ? Deno.stdout : Deno.stderr;
  const read = chunksOf(Deno.stdin);
  const editor = tty
    ? new LineEditor({
      read,
      write: (text) => writeAll(screen, text),
      columns: () => {
        try {
          return Deno.consoleSize().columns;
        } catch {
          return 80;
        }
      },
    })
    : undefined;
  const lines = tty ? undefined : new LineReader(read);
  let raw = false;
  const setRaw = (on: boolean) => {
    if (!tty || raw === on) return;
    raw = on;
    try {
      Deno.stdin.setRaw(on);
    } catch {
      // the terminal is gone
    }
  };
  const runner = new CommandRunner(sandbox, {
    out: (line) => console.log(line),
    note: (line) => console.error(line),
  }, { timeout: flags.timeout, terminalEchoesInterrupt: tty });
  // Each ^C goes to the running command; at the prompt it starts a new line (in raw mode ^C is a
  // key, so only a ^C sent with kill comes here); with no terminal and no command it stops.
  const intercept = () => {
    if (runner.running) return runner.interrupt();
    if (editor) editor.interrupt();
    return editor !== undefined;
  };
  try {
    await withInterrupts(async ({ signal, onStopNow }) => {
      onStopNow(() => {
        setRaw(false);
        return sandbox.close();
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      console.error(
        `Sandbox ready in ${seconds}s (${image}, network ${network}, server at ${sandbox.url}).`,
      );
      console.error(
        "Each line runs in one bash session; ^C interrupts the running command; exit or ^D ends.",
      );
      let cwd = flags.workdir;
      while (!signal.aborted) {
        let line: string | null | undefined;
        if (editor) {
          setRaw(true);
          try {
            line = await unlessAborted(editor.readLine(`${cwd}$ `), signal);
          } finally {
            setRaw(false);
          }
        } else {
          line = await unlessAborted(lines!.readLine(), signal);
        }
        if (line === null || line === undefined) break;
        const command = line.trim();
        if (command === "") continue;
        if (/^exit(\s+\d+)?$/.test(command)) break;
        const end = await runner.run(line, signal);
        if (end?.working_dir) cwd = end.working_dir;
      }
    }, {
      intercept,
      hangup: true,
      stopping: "Stopping: closing the sandbox (press ^C again to exit now)",
      interrupted: "Interrupted: the sandbox was removed",
    });
  } finally {
    setRaw(false);
    await sandbox.close();
  }
}
