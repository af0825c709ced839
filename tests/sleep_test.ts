import assert from "node:assert/strict";
import { sleep, withTimeout } from "../src/sleep.ts";

/** A signal that counts its live "abort" listeners. */
function countedSignal(): { controller: AbortController; listeners: () => number } {
  const controller = new AbortController();
  const signal = controller.signal;
  const live = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, listener: unknown, options?: unknown) => {
    if (type === "abort") live.add(listener);
    add(type, listener as EventListener, options as AddEventListenerOptions);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, listener: unknown, options?: unknown) => {
    if (type === "abort") live.delete(listener);
    remove(type, listener as EventListener, options as EventListenerOptions);
  }) as typeof signal.removeEventListener;
  return { controller, listeners: () => live.size };
}

Deno.test("sleep() leaves no listener on a long-lived signal once it has slept", async () => {
  const { controller, listeners } = countedSignal();
  for (let i = 0; i < 5; i++) await sleep(1, controller.signal);
  assert.equal(listeners(), 0);
});

Deno.test("sleep() ends at once when its signal aborts", async () => {
  const controller = new AbortController();
  const started = performance.now();
  const slept = sleep(60_000, controller.signal);
  controller.abort();
  await slept;
  assert.ok(performance.now() - started < 5_000);
  await sleep(60_000, controller.signal); // already aborted: no wait
});

Deno.test("withTimeout() aborts its signal with a TimeoutError after the limit", async () => {
  const reason = await withTimeout(
    20,
    (signal) =>
      new Promise((resolve) => signal.addEventListener("abort", () => resolve(signal.reason))),
  );
  assert.ok(reason instanceof DOMException);
  assert.equal(reason.name, "TimeoutError");
});

Deno.test("withTimeout() drops its timer once the work is done", async () => {
  let kept: AbortSignal | undefined;
  assert.equal(
    await withTimeout(20, (signal) => {
      kept = signal;
      return Promise.resolve(7);
    }),
    7,
  );
  await sleep(60);
  // AbortSignal.timeout(20) would have fired by now, and kept its timer until then.
  assert.equal(kept!.aborted, false);
  await assert.rejects(withTimeout(20, () => Promise.reject(new Error("boom"))), /boom/);
});
