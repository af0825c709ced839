import assert from "node:assert/strict";
import { OWNER_GONE_EXIT_CODE, OwnerWatch } from "../../runtime-server/owner_watch.ts";
import { startServer, type TestServer } from "./_server.ts";

/** Seconds until the server process exits (fails after `limitSeconds`). */
async function exitsWithin(
  server: TestServer,
  limitSeconds: number,
): Promise<{ code: number; seconds: number }> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = await Promise.race([
    server.process.status,
    new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), limitSeconds * 1000)),
  ]);
  clearTimeout(timer);
  assert.ok(status, `the server still runs after ${limitSeconds}s`);
  return { code: status.code, seconds: (performance.now() - started) / 1000 };
}

async function stillRunning(server: TestServer): Promise<boolean> {
  let exited = false;
  server.process.status.then(() => exited = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return !exited;
}

/** POSTs /heartbeat with the key every `ms` until the returned function is called. */
function heartbeats(server: TestServer, ms: number): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const response = await server.fetch("/heartbeat", { method: "POST" });
      assert.equal(response.status, 200);
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

Deno.test("OwnerWatch fires once when the owner is quiet for longer than the timeout", () => {
  let now = 0;
  const gone: number[] = [];
  const watch = new OwnerWatch(2, (quiet) => gone.push(quiet), () => now);
  try {
    now = 1_900;
    assert.equal(watch.check(), false);
    watch.seen();
    now = 3_800;
    assert.equal(watch.check(), false, "seen() restarts the clock");
    now = 4_000;
    assert.equal(watch.check(), true);
    now = 9_000;
    assert.equal(watch.check(), false, "it fires only once");
    assert.deepEqual(gone, [2.1]);
  } finally {
    watch.close();
  }
});

Deno.test("runtime server: --owner-timeout exits (code 3) when nobody with the key calls", async () => {
  const server = await startServer({ args: ["--owner-timeout", "1.5"] });
  try {
    // Requests without the key (like the readiness poll) do not count.
    const polls: Promise<unknown>[] = [];
    const anonymous = setInterval(() => {
      polls.push(fetch(`${server.url}/alive`).then((r) => r.body?.cancel()).catch(() => {}));
    }, 200);
    const exit = await exitsWithin(server, 10).finally(() => clearInterval(anonymous));
    await Promise.all(polls);
    assert.equal(exit.code, OWNER_GONE_EXIT_CODE);
    assert.ok(exit.seconds < 4, `took ${exit.seconds}s`);
  } finally {
    const logs = await server.close();
    assert.match(logs, /owner timeout 1\.5s/);
    assert.match(logs, /no request from its owner for 1\.\ds \(--owner-timeout 1\.5\); exiting/);
  }
});

Deno.test("runtime server: heartbeats keep it alive through a long blocking command", async () => {
  const server = await startServer({ args: ["--owner-timeout", "1.5"] });
  try {
    const denied = await fetch(`${server.url}/heartbeat`, { method: "POST" });
    assert.equal(denied.status, 403, "a heartbeat needs the key");
    await denied.body?.cancel();
    const stop = heartbeats(server, 300);
    const started = performance.now();
    const slow = await server.run("sleep 4; echo slept", { blocking: true, timeout: 30 });
    assert.ok(performance.now() - started > 3_900);
    assert.equal(slow.extras.metadata?.exit_code, 0);
    assert.match(slow.content, /slept/);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.ok(await stillRunning(server), "still alive while the heartbeats go on");
    await stop();
    const exit = await exitsWithin(server, 10);
    assert.equal(exit.code, OWNER_GONE_EXIT_CODE);
  } finally {
    await server.close();
  }
});

Deno.test("runtime server: an owner gone mid-command ends the server at once, not after the command", async () => {
  const server = await startServer({ args: ["--owner-timeout", "1"] });
  try {
    const pending = server.run("sleep 60", { blocking: true, timeout: 120 }).catch((e) => e);
    const exit = await exitsWithin(server, 10);
    assert.equal(exit.code, OWNER_GONE_EXIT_CODE);
    assert.ok(exit.seconds < 5, `took ${exit.seconds}s`);
    await pending;
  } finally {
    await server.close();
  }
});

Deno.test("runtime server: without --owner-timeout it never exits on its own", async () => {
  const server = await startServer();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.ok(await stillRunning(server));
    const response = await server.fetch("/heartbeat", { method: "POST" });
    assert.deepEqual(await response.json(), { status: "ok" });
  } finally {
    await server.close();
  }
});
