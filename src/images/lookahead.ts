/**
 * Look-ahead for per-instance mode: while instances run, the images of the next ones are loaded,
 * and the images of finished ones are removed in the background.
 *
 * The phase gives the order in which its workers take instances ({@linkcode Lookahead.plan}).
 * The window is the first `lookahead` distinct images of the instances not started yet that no
 * running instance uses (an image in use is there anyway and does not count). Images in the
 * window are loaded, `parallel` at a time, in that order, while the engine's disk keeps
 * `floorBytes` free after one more archive; an image leaves the engine once no running instance
 * uses it and it is not in the window. So at most `lookahead` images beyond those in use are
 * there (or on their way), and images that were there before the run are never removed (the
 * loader's rule).
 *
 * A failed look-ahead load is not fatal: the instance that needs the image loads it again when it
 * starts and gets the error row it would get without look-ahead. The first ^C starts no new load
 * and cuts the look-ahead loads no instance waits for (the engine loads nothing from a cut
 * stream); {@linkcode Lookahead.close} removes what was loaded ahead for nothing.
 * {@linkcode Lookahead.stopNow} (the second ^C) cuts every load and takes back what they made.
 *
 * @module
 */
import { formatBytes } from "./progress.ts";
import { type ImageLoader, type LoadOutcome, type LoadTarget, sourceKeyOf } from "./loader.ts";
import { displayUri } from "./tar_source.ts";

/** Options of {@linkcode Lookahead}. */
export interface LookaheadOptions {
  loader: ImageLoader;
  /** Images loaded beyond those in use; 0 loads each image only when its instance starts. */
  lookahead: number;
  /** Look-ahead loads at once. @default 1 */
  parallel?: number;
  /** Free bytes to keep on the engine's disk: no look-ahead load starts below it. @default 0 */
  floorBytes?: number;
  /** Free bytes on the engine's disk now; `undefined` when it cannot be known. */
  freeBytes?: () => Promise<number | undefined>;
  /** Progress lines. */
  log?: (line: string) => void;
  /** The first ^C: no new look-ahead load; those no instance waits for are cut. */
  signal?: AbortSignal;
  /** Cuts every load (the second ^C); given to the loader as its `abort`. */
  hardStop?: AbortController;
}

/** An instance as the look-ahead sees it: its id and its archive. */
export interface PlannedInstance {
  id: string;
  target: LoadTarget;
}

/** An image the look-ahead holds (one user of the loader). */
interface Held {
  key: string;
  target: LoadTarget;
  /** The instance it was loaded for. */
  for: string;
  state: "loading" | "ready" | "failed";
  abort: AbortController;
  /** Resolves once the load ended: true when the hold counts a user of the loader. */
  done: Promise<boolean>;
}

/** Loads images ahead of the instances that need them. */
export class Lookahead {
  readonly #loader: ImageLoader;
  readonly #lookahead: number;
  readonly #parallel: number;
  readonly #floor: number;
  readonly #freeBytes: () => Promise<number | undefined>;
  readonly #log: (line: string) => void;
  readonly #hardStop: AbortController | undefined;
  #plan: PlannedInstance[] = [];
  #cursor = 0;
  readonly #started = new Set<string>();
  readonly #running = new Map<string, number>();
  readonly #held = new Map<string, Held>();
  readonly #background = new Set<Promise<unknown>>();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: () => void;
  #stopped = false;
  #pumping = false;
  #again = false;
  #paused = false;
  /** The largest archive loaded so far: what one more load may take on disk. */
  #estimate = 0;

  constructor(options: LookaheadOptions) {
    this.#loader = options.loader;
    this.#lookahead = Math.max(0, options.lookahead);
    this.#parallel = Math.max(1, options.parallel ?? 1);
    this.#floor = options.floorBytes ?? 0;
    this.#freeBytes = options.freeBytes ?? (() => Promise.resolve(undefined));
    this.#log = options.log ?? (() => {});
    this.#hardStop = options.hardStop;
    this.#signal = options.signal;
    this.#onAbort = () => {
      this.#stop();
      this.#sync();
    };
    options.signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (options.signal?.aborted) this.#stopped = true;
  }

  /**
   * The instances the workers will take, in the order they take them (earlier plans are
   * forgotten); resolves once the loads of the first ones have started.
   */
  async plan(instances: readonly PlannedInstance[]): Promise<void> {
    this.#plan = [...instances];
    this.#cursor = 0;
    this.#started.clear();
    if (this.#lookahead > 0 && this.#plan.length > 1 && !this.#stopped) {
      this.#log(
        `look-ahead: up to ${this.#lookahead} images loaded ahead of ${this.#plan.length} ` +
          `instances, ${this.#parallel} at a time` +
          (this.#floor > 0 ? `, keeping ${formatBytes(this.#floor)} free for Docker` : ""),
      );
    }
    this.#sync();
    await this.#pump();
  }

  /** A planned instance that will not run (its result is there already). */
  skip(id: string): void {
    this.#started.add(id);
    this.#sync();
    this.#pump();
  }

  /**
   * Runs `work` with the target's image loaded (loaded ahead, or now); returns why it could not
   * be loaded instead of running `work`. The image is released in the background afterwards.
   */
  async with<T>(
    id: string,
    target: LoadTarget,
    work: () => Promise<T>,
  ): Promise<T | { loadError: string }> {
    const key = sourceKeyOf(target.source);
    this.#started.add(id);
    this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
    const held = this.#held.get(key);
    if (held?.state === "ready") this.#log(`${id}: image loaded ahead`);
    else if (held?.state === "loading") this.#log(`${id}: waiting for its look-ahead load`);
    const using = this.#loader.ensure(target); // counts its user at once
    this.#sync();
    this.#pump();
    let counted = true;
    const outcome: LoadOutcome | { status: "failed"; error: string } = await using.catch(
      (error) => {
        counted = false; // a load cut short counts no user
        return { status: "failed" as const, error: (error as Error).message };
      },
    );
    this.#pump(); // a load slot may be free now
    try {
      if (outcome.status === "failed") {
        return { loadError: outcome.error ?? `cannot load ${displayUri(target.source)}` };
      }
      return await work();
    } finally {
      const users = this.#running.get(key)! - 1;
      if (users > 0) this.#running.set(key, users);
      else this.#running.delete(key);
      // Taken first: an upcoming instance's hold keeps the image when this user lets go.
      this.#sync();
      if (counted) this.#release(target);
      this.#pump();
    }
  }

  /**
   * Ends the look-ahead: no new load, the loads no instance waits for are cut, and what was
   * loaded ahead for nothing is removed; waits for the removals.
   */
  async close(): Promise<void> {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#stop();
    this.#plan = [];
    this.#sync();
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
    await this.#loader.settled();
  }

  /**
   * Stop now (the second ^C): cuts every load, waits up to `graceMs` for them to end (their
   * temp files go), takes back what they made, and removes what was loaded ahead.
   */
  async stopNow(graceMs = 5000): Promise<void> {
    this.#stop();
    this.#hardStop?.abort();
    const deadline = Date.now() + graceMs;
    while (this.#loader.loading > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.#loader.abandonInFlight();
    // Removals go first; the record they then write may be frozen (never completes).
    this.#plan = [];
    this.#sync();
    const left = Math.max(0, deadline - Date.now());
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#background]),
      new Promise((resolve) => (timer = setTimeout(resolve, Math.max(left, 1000)))),
    ]);
    clearTimeout(timer);
  }

  /** First ^C (or close): no new look-ahead load; cut those no instance waits for. */
  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const held of this.#held.values()) {
      if (held.state === "loading" && !this.#running.has(held.key)) held.abort.abort();
    }
  }

  /**
   * The window: the keys to hold, in order. An image a running instance uses is held when an
   * upcoming instance needs it, without counting; the others count up to `lookahead`.
   */
  #window(): Map<string, PlannedInstance> {
    const window = new Map<string, PlannedInstance>();
    if (this.#lookahead === 0 || this.#stopped) return window;
    while (this.#cursor < this.#plan.length && this.#started.has(this.#plan[this.#cursor]!.id)) {
      this.#cursor++;
    }
    let counted = 0;
    for (let i = this.#cursor; i < this.#plan.length && counted < this.#lookahead; i++) {
      const planned = this.#plan[i]!;
      if (this.#started.has(planned.id)) continue;
      const key = sourceKeyOf(planned.target.source);
      if (window.has(key)) continue;
      window.set(key, planned);
      const held = this.#held.get(key);
      if (!this.#running.has(key) && held?.state !== "failed") counted++;
    }
    return window;
  }

  /**
   * Drops the holds outside the window, and holds the images in it that are there already (in
   * use): synchronous, so a hold is taken before the user it replaces lets go.
   */
  #sync(): void {
    const window = this.#window();
    for (const held of [...this.#held.values()]) {
      if (!window.has(held.key)) this.#drop(held);
    }
    for (const [key, planned] of window) {
      if (!this.#held.has(key) && this.#running.has(key)) this.#hold(key, planned);
    }
  }

  /** Starts the look-ahead loads the window calls for, within `parallel` and the disk floor. */
  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        for (const [key, planned] of this.#window()) {
          if (this.#stopped) return;
          if (this.#held.has(key)) continue;
          const held = [...this.#held.values()];
          // Every load in flight counts, also those of instances that started.
          const loading = Math.max(
            held.filter((h) => h.state === "loading").length,
            this.#loader.loading,
          );
          if (loading >= this.#parallel) break;
          // Images still being removed count as there: at most `lookahead` beyond those in use.
          const extra = held.filter((h) => h.state !== "failed" && !this.#running.has(h.key));
          if (extra.length + this.#loader.removing >= this.#lookahead) break;
          if (!(await this.#roomFor(loading + 1))) break;
          // The window may have moved while the disk was asked.
          if (this.#held.has(key) || !this.#window().has(key) || this.#stopped) {
            this.#again = true;
            break;
          }
          this.#hold(key, planned);
        }
      } while (this.#again);
    } finally {
      this.#pumping = false;
    }
  }

  /** Whether `loads` more archives leave the disk floor free; says so when that changes. */
  async #roomFor(loads: number): Promise<boolean> {
    if (this.#floor <= 0) return true;
    const free = await this.#freeBytes().catch(() => undefined);
    if (free === undefined) return true;
    const room = free - loads * this.#estimate >= this.#floor;
    if (!room && !this.#paused) {
      this.#log(
        `look-ahead paused: ${formatBytes(free)} free for Docker, ` +
          `${formatBytes(this.#floor)} to keep (images load when their instance starts)`,
      );
    } else if (room && this.#paused) {
      this.#log(`look-ahead resumed: ${formatBytes(free)} free for Docker`);
    }
    this.#paused = !room;
    return room;
  }

  /** Holds one user of an image: loads it unless it is there. */
  #hold(key: string, planned: PlannedInstance): void {
    const abort = new AbortController();
    const started = performance.now();
    const loadingAhead = !this.#running.has(key) && !this.#loader.isReady(planned.target);
    const display = displayUri(planned.target.source);
    const held: Held = {
      key,
      target: planned.target,
      for: planned.id,
      state: "loading",
      abort,
      done: Promise.resolve(false),
    };
    if (loadingAhead) this.#log(`look-ahead: loading ${display} for ${planned.id}`);
    held.done = this.#loader.ensure(planned.target, abort.signal).then((outcome) => {
      held.state = outcome.status === "failed" ? "failed" : "ready";
      this.#estimate = Math.max(this.#estimate, outcome.bytes);
      if (loadingAhead) {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        const ready = [...this.#held.values()].filter((h) => h.state === "ready").length;
        this.#log(
          outcome.status === "failed"
            ? `look-ahead: ${planned.id}'s image failed; it is tried again when it starts`
            : `look-ahead: ${display} ready for ${planned.id} in ${seconds} s ` +
              `(${ready} ready ahead)`,
        );
      }
      return true;
    }, (error) => {
      held.state = "failed";
      if (!abort.signal.aborted && !this.#hardStop?.signal.aborted) {
        this.#log(`look-ahead: ${display}: ${(error as Error).message}`);
      }
      if (this.#held.get(key) === held) this.#held.delete(key);
      return false;
    });
    this.#held.set(key, held);
    this.#track(held.done.then(() => {
      this.#sync();
      this.#pump();
    }));
  }

  /**
   * Lets go of a hold: a load no instance waits for is cut; the user it counts is released (the
   * last user removes the image).
   */
  #drop(held: Held): void {
    this.#held.delete(held.key);
    if (held.state === "loading" && !this.#running.has(held.key)) held.abort.abort();
    this.#track(held.done.then((counted) => {
      if (counted) this.#release(held.target);
    }));
  }

  /** Releases one user of an image in the background. */
  #release(target: LoadTarget): void {
    this.#track(
      this.#loader.release(target).catch((error) =>
        this.#log(`releasing ${displayUri(target.source)}: ${(error as Error).message}`)
      ).then(() => this.#pump()),
    );
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => {}).finally(() => this.#background.delete(tracked));
    this.#background.add(tracked);
  }
}
