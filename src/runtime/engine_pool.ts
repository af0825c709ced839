/**
 * Several Docker engines as one backend (the `engines` key): each start goes to the live engine
 * with a free slot that is least loaded for its capacity and has the image, and waits while every
 * such engine is full. The sandbox or box frees its slot when it is closed or removed.
 *
 * An engine that fails a call and then does not answer a ping is dead: one log line names it, the
 * start is tried on another engine, and nothing new goes to it. A dead engine is pinged again when
 * a start looks for an engine at least `reviveAfterMs` after the last try, and takes work again
 * once it answers. With no live engine left, a start fails with one line.
 *
 * The run's sandboxes share one network namespace per engine (a {@linkcode SandboxNetworks} keeps
 * a holder per engine).
 *
 * @module
 */
import { VeloraError } from "../errors.ts";
import type { Box, BoxSpec, RunningSandbox, SandboxBackend, SandboxOptions } from "./backend.ts";
import { SandboxNetworks } from "./network.ts";

/** One engine of a pool: its backend and how many sandboxes or boxes it runs at once. */
export interface PoolEngine {
  backend: SandboxBackend;
  capacity: number;
}

/** Options of {@linkcode EnginePool}. */
export interface EnginePoolOptions {
  /** One line when an engine is found dead or answers again. */
  log?: (line: string) => void;
  /** How long a dead engine rests before it is pinged again. @default 30_000 */
  reviveAfterMs?: number;
  /** How long the ping that decides an engine is dead may take. @default 5_000 */
  pingTimeoutMs?: number;
}

interface Engine extends PoolEngine {
  used: number;
  dead: boolean;
  /** When it was found dead, or last failed a revival ping. */
  deadAt: number;
  reviving: boolean;
}

/** Several Docker engines, each with a capacity, as one backend. */
export class EnginePool implements SandboxBackend {
  readonly kind = "docker";
  readonly where: string;
  readonly #engines: Engine[];
  readonly #log: (line: string) => void;
  readonly #reviveAfterMs: number;
  readonly #pingTimeoutMs: number;
  /** Counts slot releases, deaths and revivals: what a waiting start waits for. */
  #version = 0;
  #waiters: (() => void)[] = [];
  /** Set by {@linkcode reapOwned} (the second ^C): nothing new starts afterwards. */
  #stopping = false;

  constructor(engines: readonly PoolEngine[], options: EnginePoolOptions = {}) {
    if (engines.length === 0) throw new Error("EnginePool needs at least one engine");
    this.#engines = engines.map((engine) => ({
      ...engine,
      used: 0,
      dead: false,
      deadAt: 0,
      reviving: false,
    }));
    this.#log = options.log ?? (() => {});
    this.#reviveAfterMs = options.reviveAfterMs ?? 30_000;
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
    this.where = `${engines.length} Docker engine${engines.length === 1 ? "" : "s"}: ${
      engines.map((e) => `${e.backend.where} (capacity ${e.capacity})`).join(", ")
    }`;
  }

  /** Per engine: its endpoint, slots in use and whether it is dead (for logs and tests). */
  get engines(): { where: string; capacity: number; used: number; dead: boolean }[] {
    return this.#engines.map((e) => ({
      where: e.backend.where,
      capacity: e.capacity,
      used: e.used,
      dead: e.dead,
    }));
  }

  /** Every engine must answer; the error names the first that does not. */
  async ping(): Promise<void> {
    await Promise.all(this.#engines.map(async (engine) => {
      try {
        await engine.backend.ping();
      } catch (error) {
        throw new VeloraError(
          `Docker engine "${engine.backend.where}" of \`engines\` does not answer: ${
            causeOf(error)
          }`,
          { cause: error },
        );
      }
    }));
  }

  /** True when a live engine has the image. */
  async imageExists(image: string): Promise<boolean> {
    for (const engine of this.#live()) {
      if (await this.#has(engine, image)) return true;
    }
    if (this.#live().length === 0) throw this.#noneLeft();
    return false;
  }

  missingImage(image: string): string {
    return `image "${image}" is on none of the live engines; load it into each engine ` +
      "(`velora images load` with DOCKER_HOST set to the engine)";
  }

  async startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
    const { engine, value: sandbox } = await this.#start(
      options.image,
      (backend) => backend.startSandbox(options),
    );
    const close = this.#releasing(engine, () => sandbox.close());
    const pooled: RunningSandbox = {
      client: sandbox.client,
      url: sandbox.url,
      where: engine.backend.where,
      run: (command, runOptions) => sandbox.run(command, runOptions),
      execute: (action) => sandbox.execute(action),
      close,
      [Symbol.asyncDispose]: close,
    };
    return pooled;
  }

  async startBox(spec: BoxSpec): Promise<Box> {
    const { engine, value: box } = await this.#start(
      spec.image,
      (backend) => backend.startBox(spec),
    );
    return {
      id: box.id,
      exec: (cmd, options) => box.exec(cmd, options),
      putFiles: (files) => box.putFiles(files),
      state: () => box.state(),
      remove: this.#releasing(engine, () => box.remove()),
    };
  }

  /** One holder per engine and network mode, for the run's sandboxes. */
  sharedNetworks(run: string): SandboxNetworks {
    return new SandboxNetworks({ run });
  }

  /** Removes the run's containers on every live engine. */
  async reap(run: string): Promise<string[]> {
    const found = await Promise.all(
      this.#live().map(async (engine) => {
        try {
          return await engine.backend.reap(run);
        } catch (error) {
          if (await this.#isLost(engine)) return [];
          throw error;
        }
      }),
    );
    return found.flat();
  }

  /**
   * Removes this process's containers on every engine that answers (dead ones are tried too); no
   * start begins afterwards (an instance retried after its sandbox was removed would leave one).
   */
  async reapOwned(): Promise<string[]> {
    this.#stopping = true;
    this.#changedNow();
    const found = await Promise.allSettled(this.#engines.map((e) => e.backend.reapOwned()));
    return found.flatMap((result) => result.status === "fulfilled" ? result.value : []);
  }

  async close(): Promise<void> {
    await Promise.all(this.#engines.map((engine) => engine.backend.close()));
  }

  /** Runs `start` on an engine with a slot, on another one while the chosen one turns out dead. */
  async #start<T>(
    image: string,
    start: (backend: SandboxBackend) => Promise<T>,
  ): Promise<{ engine: Engine; value: T }> {
    for (;;) {
      const engine = await this.#acquire(image);
      try {
        return { engine, value: await start(engine.backend) };
      } catch (error) {
        this.#release(engine);
        if (!(await this.#isLost(engine))) throw error;
      }
    }
  }

  /** Takes a slot on the least loaded live engine that has `image`; waits while all are full. */
  async #acquire(image: string): Promise<Engine> {
    for (;;) {
      if (this.#stopping) throw new VeloraError("Stopping now: no new containers");
      const seen = this.#version;
      this.#reviveRested();
      const live = this.#live();
      if (live.length === 0) throw this.#noneLeft();
      const free = live.filter((e) => e.used < e.capacity)
        .sort((a, b) => a.used / a.capacity - b.used / b.capacity);
      let somewhere = false;
      for (const engine of free) {
        if (!(await this.#has(engine, image))) continue;
        somewhere = true;
        if (engine.dead || engine.used >= engine.capacity) continue; // taken meanwhile
        engine.used++;
        return engine;
      }
      for (const engine of live) {
        if (somewhere) break;
        if (!free.includes(engine) && !engine.dead) somewhere = await this.#has(engine, image);
      }
      if (!somewhere) {
        const names = this.#live().map((e) => e.backend.where).join(", ");
        throw new VeloraError(`Image "${image}" is on none of the live Docker engines (${names})`);
      }
      await this.#changed(seen);
    }
  }

  /** A close or remove that frees the engine's slot once; an engine gone takes its work along. */
  #releasing(engine: Engine, remove: () => Promise<void>): () => Promise<void> {
    let released = false;
    return async () => {
      try {
        await remove();
      } catch (error) {
        // On a dead engine the container went with it (a sandbox also stops by its owner timeout).
        if (!(await this.#isLost(engine))) throw error;
      } finally {
        if (!released) {
          released = true;
          this.#release(engine);
        }
      }
    };
  }

  async #has(engine: Engine, image: string): Promise<boolean> {
    try {
      return await engine.backend.imageExists(image);
    } catch (error) {
      if (await this.#isLost(engine)) return false;
      throw error;
    }
  }

  /** After a failed call: whether the engine is dead (already, or it does not answer a ping). */
  async #isLost(engine: Engine): Promise<boolean> {
    if (engine.dead) return true;
    const problem = await this.#pingProblem(engine);
    if (problem === undefined || engine.dead) return engine.dead;
    engine.dead = true;
    engine.deadAt = Date.now();
    this.#log(
      `Docker engine ${engine.backend.where} does not answer (${problem}): ` +
        `its work goes to the other engines`,
    );
    this.#changedNow();
    return true;
  }

  /** Pings the dead engines that rested long enough, in the background. */
  #reviveRested(): void {
    const now = Date.now();
    for (const engine of this.#engines) {
      if (!engine.dead || engine.reviving || now - engine.deadAt < this.#reviveAfterMs) continue;
      engine.reviving = true;
      this.#pingProblem(engine).then((problem) => {
        engine.reviving = false;
        if (problem !== undefined) {
          engine.deadAt = Date.now();
          return;
        }
        engine.dead = false;
        this.#log(`Docker engine ${engine.backend.where} answers again: it takes work again`);
        this.#changedNow();
      });
    }
  }

  /** Why the engine does not answer a ping in time; undefined when it does. */
  async #pingProblem(engine: Engine): Promise<string | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`no answer in ${this.#pingTimeoutMs} ms`),
        this.#pingTimeoutMs,
      );
    });
    try {
      return await Promise.race([
        engine.backend.ping().then(() => undefined, (error) => causeOf(error)),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  #live(): Engine[] {
    return this.#engines.filter((e) => !e.dead);
  }

  #release(engine: Engine): void {
    engine.used--;
    this.#changedNow();
  }

  #changedNow(): void {
    this.#version++;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next change, or at once when there was one since `seen`. */
  #changed(seen: number): Promise<void> {
    if (this.#version !== seen) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #noneLeft(): VeloraError {
    return new VeloraError(
      `No Docker engine of \`engines\` answers (${
        this.#engines.map((e) => e.backend.where).join(", ")
      })`,
    );
  }
}

/** The innermost message of an error (a `DockerUnavailableError` wraps the socket's error). */
function causeOf(error: unknown): string {
  let inner = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  return inner instanceof Error ? inner.message : String(inner);
}
