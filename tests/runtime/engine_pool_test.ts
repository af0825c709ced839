import assert from "node:assert/strict";
import type {
  Box,
  BoxSpec,
  RunningSandbox,
  SandboxBackend,
  SandboxOptions,
} from "../../src/runtime/backend.ts";
import type { RuntimeClient } from "../../src/runtime/client.ts";
import { EnginePool } from "../../src/runtime/engine_pool.ts";

/** A Docker engine that keeps count, and can be killed (every call then fails as a dead socket). */
class FakeEngine implements SandboxBackend {
  readonly kind = "docker";
  dead = false;
  starts = 0;
  running = 0;
  reaped: string[] = [];
  images = new Set(["img"]);

  constructor(readonly where: string) {}

  #check(): Promise<void> {
    return this.dead
      ? Promise.reject(Object.assign(new Error(`connect ECONNREFUSED ${this.where}`), {
        code: "ECONNREFUSED",
      }))
      : Promise.resolve();
  }

  async ping() {
    await this.#check();
  }

  async imageExists(image: string) {
    await this.#check();
    return this.images.has(image);
  }
  missingImage(image: string) {
    return `no ${image}`;
  }

  async startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
    await this.#check();
    this.starts++;
    this.running++;
    let closed = false;
    const close = async () => {
      await this.#check();
      if (!closed) this.running--;
      closed = true;
    };
    return {
      client: {} as RuntimeClient,
      url: `http://${this.where}/${options.instance ?? ""}`,
      run: () => Promise.reject(new Error("not here")),
      execute: () => Promise.reject(new Error("not here")),
      close,
      [Symbol.asyncDispose]: close,
    };
  }

  async startBox(_spec: BoxSpec): Promise<Box> {
    await this.#check();
    this.starts++;
    this.running++;
    return {
      id: `${this.where}-box`,
      exec: () => Promise.reject(new Error("not here")),
      putFiles: () => Promise.resolve(),
      state: () => Promise.resolve(null),
      remove: async () => {
        await this.#check();
        this.running--;
      },
    };
  }

  sharedNetworks() {
    return undefined;
  }

  async reap(run: string) {
    await this.#check();
    this.reaped.push(run);
    return [`${this.where}:${run}`];
  }

  async reapOwned() {
    await this.#check();
    return [`${this.where}:mine`];
  }

  close() {
    return Promise.resolve();
  }
}

function pool(capacities: number[], options: { reviveAfterMs?: number } = {}) {
  const engines = capacities.map((_, i) => new FakeEngine(`unix:///e${i}.sock`));
  const lines: string[] = [];
  const backend = new EnginePool(
    engines.map((backend, i) => ({ backend, capacity: capacities[i]! })),
    { log: (line) => lines.push(line), pingTimeoutMs: 200, ...options },
  );
  return { engines, lines, backend };
}

const start = (backend: EnginePool, instance = "i") =>
  backend.startSandbox({ image: "img", run: "r", instance });

Deno.test("EnginePool spreads starts by load relative to capacity and names the engine", async () => {
  const { engines, backend } = pool([2, 4]);
  assert.equal(
    backend.where,
    "2 Docker engines: unix:///e0.sock (capacity 2), unix:///e1.sock (capacity 4)",
  );
  const sandboxes = [];
  for (let i = 0; i < 6; i++) sandboxes.push(await start(backend, `i${i}`));
  assert.deepEqual(engines.map((e) => e.running), [2, 4]);
  assert.deepEqual(
    sandboxes.slice(0, 3).map((s) => s.where),
    ["unix:///e0.sock", "unix:///e1.sock", "unix:///e1.sock"],
  );
  assert.deepEqual(backend.engines.map((e) => e.used), [2, 4]);
  for (const sandbox of sandboxes) await sandbox.close();
  assert.deepEqual(backend.engines.map((e) => e.used), [0, 0]);
  assert.deepEqual(engines.map((e) => e.running), [0, 0]);
});

Deno.test("EnginePool waits while every engine is full, and a close frees the slot once", async () => {
  const { engines, backend } = pool([1, 1]);
  const a = await start(backend);
  const b = await start(backend);
  let third: RunningSandbox | undefined;
  const waiting = start(backend).then((s) => (third = s));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(third, undefined, "no slot: the start waits");
  await b.close();
  await b.close(); // a second close frees nothing more
  await waiting;
  assert.equal(third!.where, engines[1]!.where);
  assert.deepEqual(backend.engines.map((e) => e.used), [1, 1]);
  await a.close();
  await third!.close();
  assert.deepEqual(backend.engines.map((e) => e.used), [0, 0]);
});

Deno.test("EnginePool waits when the slot it found is taken while it checked the image", async () => {
  const { engines, backend } = pool([1]);
  const check = engines[0]!.imageExists.bind(engines[0]!);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let checking = 0;
  engines[0]!.imageExists = async (image) => {
    checking++;
    await gate;
    return check(image);
  };
  // Both find the one slot free, then both learn the engine has the image: one takes the slot.
  const a = start(backend, "a");
  const b = start(backend, "b");
  while (checking < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  open();
  const first = await a;
  await first.close();
  const second = await b;
  assert.equal(second.where, engines[0]!.where);
  await second.close();
  assert.equal(backend.engines[0]!.used, 0);
});

Deno.test("EnginePool skips engines without the image and says when none has it", async () => {
  const { engines, backend } = pool([4, 4]);
  engines[0]!.images.clear();
  const sandbox = await start(backend);
  assert.equal(sandbox.where, engines[1]!.where);
  assert.equal(await backend.imageExists("img"), true);
  assert.equal(await backend.imageExists("other"), false);
  await assert.rejects(
    backend.startSandbox({ image: "other", run: "r" }),
    /^VeloraError: Image "other" is on none of the live Docker engines \(unix:\/\/\/e0\.sock, unix:\/\/\/e1\.sock\)$/,
  );
  await sandbox.close();
});

Deno.test("EnginePool marks an engine that stops answering dead and starts on another", async () => {
  const { engines, backend, lines } = pool([2, 2]);
  const first = await start(backend, "a"); // e0
  engines[0]!.dead = true;
  // "b" goes to e1 (less loaded); for "c" the load is even and the dead e0 comes first.
  const onE1 = [await start(backend, "b"), await start(backend, "c")];
  assert.deepEqual(onE1.map((s) => s.where), [engines[1]!.where, engines[1]!.where]);
  await onE1[0]!.close();
  const moved = await start(backend, "d");
  assert.equal(moved.where, engines[1]!.where);
  // Closing the sandbox of the dead engine neither throws nor keeps its slot.
  await first.close();
  await onE1[1]!.close();
  await moved.close();
  assert.equal(backend.engines[0]!.dead, true);
  assert.equal(backend.engines[0]!.used, 0);
  assert.equal(lines.filter((l) => l.includes("does not answer")).length, 1, lines.join("\n"));
  assert.match(
    lines[0]!,
    /^Docker engine unix:\/\/\/e0\.sock does not answer \(connect ECONNREFUSED unix:\/\/\/e0\.sock\): its work goes to the other engines$/,
  );
});

Deno.test("EnginePool moves a start that fails on a dead engine, and fails when none is left", async () => {
  const { engines, backend, lines } = pool([1, 1]);
  engines[0]!.dead = true;
  // e0 is chosen first (equal load): its failure sends the start to e1.
  const sandbox = await start(backend);
  assert.equal(sandbox.where, engines[1]!.where);
  assert.equal(engines[0]!.starts, 0);
  assert.equal(lines.length, 1);
  // A start waiting for e1's only slot fails when e1 dies too.
  const waiting = start(backend);
  engines[1]!.dead = true;
  await sandbox.close();
  await assert.rejects(
    waiting,
    /^VeloraError: No Docker engine of `engines` answers \(unix:\/\/\/e0\.sock, unix:\/\/\/e1\.sock\)$/,
  );
  await assert.rejects(backend.imageExists("img"), /No Docker engine of `engines` answers/);
});

Deno.test("EnginePool gives a failure that is not the engine's back as it is", async () => {
  const { engines, backend } = pool([1]);
  engines[0]!.startSandbox = () => Promise.reject(new Error("the server exited: bad image"));
  await assert.rejects(start(backend), /^Error: the server exited: bad image$/);
  assert.equal(backend.engines[0]!.dead, false);
  assert.equal(backend.engines[0]!.used, 0);
});

Deno.test("EnginePool pings a dead engine again after a rest and gives it work again", async () => {
  const { engines, backend, lines } = pool([1, 1], { reviveAfterMs: 30 });
  engines[0]!.dead = true;
  const a = await start(backend);
  assert.equal(backend.engines[0]!.dead, true);
  engines[0]!.dead = false;
  await new Promise((resolve) => setTimeout(resolve, 50));
  // Full everywhere live: the waiting start triggers the revival ping and gets e0.
  const b = await start(backend);
  assert.equal(b.where, engines[0]!.where);
  assert.match(lines.at(-1)!, /^Docker engine unix:\/\/\/e0\.sock answers again/);
  await a.close();
  await b.close();
});

Deno.test("EnginePool boxes take slots too, and reap and reapOwned reach every engine", async () => {
  const { engines, backend } = pool([1, 1]);
  const spec: BoxSpec = { image: "img", purpose: { run: "r" }, network: "none" };
  const boxes = [await backend.startBox(spec), await backend.startBox(spec)];
  assert.deepEqual(boxes.map((b) => b.id), ["unix:///e0.sock-box", "unix:///e1.sock-box"]);
  for (const box of boxes) await box.remove();
  assert.deepEqual(backend.engines.map((e) => e.used), [0, 0]);

  assert.deepEqual(await backend.reap("run-1"), ["unix:///e0.sock:run-1", "unix:///e1.sock:run-1"]);
  engines[1]!.dead = true;
  assert.deepEqual(await backend.reap("run-2"), ["unix:///e0.sock:run-2"]);
  engines[1]!.dead = false; // answers again: the second ^C reaches it anyway
  assert.deepEqual(await backend.reapOwned(), ["unix:///e0.sock:mine", "unix:///e1.sock:mine"]);
});

Deno.test("EnginePool starts nothing once reapOwned() ran (the second ^C)", async () => {
  const { backend } = pool([1]);
  const running = await start(backend, "a");
  const waiting = start(backend, "b");
  await backend.reapOwned();
  await assert.rejects(waiting, /^VeloraError: Stopping now: no new containers$/);
  await assert.rejects(start(backend, "c"), /Stopping now/);
  await running.close();
});

Deno.test("EnginePool.ping() names the engine that does not answer", async () => {
  const { engines, backend } = pool([1, 1]);
  await backend.ping();
  engines[1]!.dead = true;
  await assert.rejects(
    backend.ping(),
    /^VeloraError: Docker engine "unix:\/\/\/e1\.sock" of `engines` does not answer: connect ECONNREFUSED/,
  );
});
