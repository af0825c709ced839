/**
 * The one ^C handler, used by every command that does work. SIGINT and SIGTERM count alike:
 *
 * 1. the first aborts the work's signal: nothing new starts, running work finishes or
 *    checkpoints, and the command exits 130 (run it again to go on);
 * 2. the second stops now: writes are frozen (nothing cut short is recorded), the cleanups the
 *    command registered run (kill child processes, remove the containers this process made) for
 *    at most {@linkcode CLEANUP_MS}, then velora exits 130;
 * 3. a third during that cleanup exits at once.
 *
 * A command can take SIGINT for itself with `intercept` (`velora sandbox` forwards each ^C to the
 * command running in its sandbox) and ask for SIGHUP too (`hangup`: the terminal is gone, so the
 * cleanups run at once, as on a second signal).
 *
 * This is the only module in `src/` that installs signal listeners.
 *
 * @module
 */
import { connect } from "../docker/client.ts";
import { reapOwned } from "../docker/containers.ts";
import { EXIT, InterruptedError } from "../errors.ts";
import { freezeWrites } from "../fs.ts";

/** The longest a second ^C waits for cleanups before exiting. */
export const CLEANUP_MS = 10_000;

/** What a command's work gets from {@linkcode withInterrupts}. */
export interface Interrupts {
  /** Aborted on the first signal: start no new work, let running work finish. */
  readonly signal: AbortSignal;
  /** Registers a cleanup for the second signal; returns a function that unregisters it. */
  onStopNow(cleanup: () => unknown): () => void;
}

/** Options of {@linkcode withInterrupts}. */
export interface InterruptOptions {
  /** The line the first signal prints. */
  stopping?: string;
  /** Remove the containers this process made on the second signal (commands that start any). */
  containers?: boolean;
  /**
   * Called on each SIGINT before it counts; returning true consumes it (`velora sandbox` sends
   * it to the command running in the sandbox instead).
   */
  intercept?: () => boolean;
  /** The message of the error thrown when the work returns after a first signal. */
  interrupted?: string;
  /** Also listen for SIGHUP (not on Windows): the cleanups run at once, then exit 130. */
  hangup?: boolean;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** A line on stderr that must not throw (after a hangup the terminal is gone). */
function tell(line: string): void {
  try {
    console.error(line);
  } catch {
    // nowhere to say it
  }
}

/**
 * Runs `work` under the ^C handler. Throws {@linkcode InterruptedError} (exit 130) when the work
 * returns after a first signal.
 */
export async function withInterrupts<T>(
  work: (interrupts: Interrupts) => Promise<T>,
  options: InterruptOptions = {},
): Promise<T> {
  const stop = new AbortController();
  const cleanups = new Set<() => unknown>();
  if (options.containers) cleanups.add(() => reapOwned(connect()));
  let count = 0;
  const stopNow = async () => {
    tell("Stopping now: cleaning up");
    freezeWrites(); // work cut short by the cleanup must not record a result

    const all = Promise.allSettled([...cleanups].map(async (cleanup) => await cleanup()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, CLEANUP_MS)));
    await Promise.race([all, late]);
    clearTimeout(timer);
    Deno.exit(EXIT.interrupted);
  };
  const names: Deno.Signal[] = [...SIGNALS];
  if (options.hangup && Deno.build.os !== "windows") names.push("SIGHUP");
  const listeners = names.map((name) => {
    const listener = () => {
      if (name === "SIGINT" && options.intercept?.()) return;
      count++;
      if (name === "SIGHUP" && count <= 2) {
        count = 2;
        stop.abort();
        stopNow();
      } else if (count === 1) {
        stop.abort();
        tell(
          options.stopping ?? "Stopping: letting running work finish (press ^C again to exit now)",
        );
      } else if (count === 2) {
        stopNow();
      } else {
        Deno.exit(EXIT.interrupted);
      }
    };
    Deno.addSignalListener(name, listener);
    return { name, listener };
  });
  try {
    const result = await work({
      signal: stop.signal,
      onStopNow(cleanup) {
        cleanups.add(cleanup);
        return () => cleanups.delete(cleanup);
      },
    });
    if (stop.signal.aborted) {
      throw new InterruptedError(
        options.interrupted ?? "Interrupted: run the same command again to go on",
      );
    }
    return result;
  } finally {
    for (const { name, listener } of listeners) Deno.removeSignalListener(name, listener);
  }
}
