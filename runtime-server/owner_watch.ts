/**
 * The dead man's switch of the runtime server: with `--owner-timeout S`, the server exits when no
 * authenticated request (an action, a `/heartbeat`, an `/alive` carrying the key) arrived for `S`
 * seconds. velora's sandbox client sends a heartbeat every few seconds, independently of its
 * actions, so a sandbox whose velora process is gone (kill -9, crash, lost host) stops by itself;
 * with Docker's `AutoRemove`, its container then disappears.
 *
 * @module
 */

/** Exit code of a server that stopped because its owner went quiet. */
export const OWNER_GONE_EXIT_CODE = 3;

/** Watches the time since the owner's last request and calls `onGone` once it is too long. */
export class OwnerWatch {
  readonly #timeoutMs: number;
  readonly #onGone: (quietSeconds: number) => void;
  readonly #now: () => number;
  #last: number;
  #timer: ReturnType<typeof setInterval> | null;

  /**
   * Starts the clock now.
   *
   * @param timeoutSeconds how long the owner may stay quiet (> 0)
   * @param onGone called once, with the seconds of silence, when that is exceeded
   * @param now a monotonic clock in milliseconds (tests pass their own)
   */
  constructor(
    timeoutSeconds: number,
    onGone: (quietSeconds: number) => void,
    now: () => number = () => performance.now(),
  ) {
    this.#timeoutMs = timeoutSeconds * 1000;
    this.#onGone = onGone;
    this.#now = now;
    this.#last = now();
    // A few checks per timeout, at most one a second: the exit comes at most 25% late.
    const every = Math.max(10, Math.min(1000, this.#timeoutMs / 4));
    const timer = setInterval(() => this.check(), every);
    // The server's listener keeps the process alive; this timer alone must not.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Records a request from the owner. */
  seen(): void {
    this.#last = this.#now();
  }

  /** Calls `onGone` (once) if the owner has been quiet too long; answers whether it did. */
  check(): boolean {
    if (this.#timer === null) return false;
    const quietMs = this.#now() - this.#last;
    if (quietMs <= this.#timeoutMs) return false;
    this.close();
    this.#onGone(quietMs / 1000);
    return true;
  }

  /** Stops watching. Safe to call twice. */
  close(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
