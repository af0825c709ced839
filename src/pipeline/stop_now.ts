/**
 * What a phase registers for the second ^C: child processes to kill and cleanups to run. The
 * runner and `runKind` share it, so both hand phases the same `trackChild` / `onStopNow`.
 *
 * @module
 */
import type { PhaseContext } from "./phase.ts";

/** The registrations of one run, and the function that acts on them. */
export interface StopNow extends Required<Pick<PhaseContext, "trackChild" | "onStopNow">> {
  /** Kills the tracked children and runs the cleanups (the second ^C). */
  stop(): Promise<unknown>;
}

/** A fresh set of registrations. */
export function stopNowRegistry(): StopNow {
  const children = new Set<Deno.ChildProcess>();
  const cleanups = new Set<() => unknown>();
  return {
    trackChild(child) {
      children.add(child);
      return () => children.delete(child);
    },
    onStopNow(cleanup) {
      cleanups.add(cleanup);
      return () => cleanups.delete(cleanup);
    },
    stop() {
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
      return Promise.allSettled([...cleanups].map(async (cleanup) => await cleanup()));
    },
  };
}
