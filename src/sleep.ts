/**
 * Timers that end with the work they guard: an abortable sleep, and a time limit on one piece of
 * work. Both drop their timer and their abort listener as soon as they are done, so a signal that
 * lives for a whole run (a worker pool's) does not collect a listener per call, and a finished
 * request does not keep its limit's timer (and signal) until the limit would have run out, as
 * `AbortSignal.timeout` does.
 *
 * @module
 */

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs `work` with a signal that aborts (a `TimeoutError` `DOMException`, like
 * `AbortSignal.timeout`'s) after `ms`; the timer is cleared once `work` settles, whichever way.
 * Put everything the limit covers inside `work` (reading a response's body, say).
 */
export async function withTimeout<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new DOMException("The operation was aborted due to timeout", "TimeoutError"),
      ),
    ms,
  );
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
