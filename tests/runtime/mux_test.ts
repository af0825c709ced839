/**
 * The shared-network relay, both ends in one process (no Docker): velora's RelayMux and
 * ServerRelay against runtime-server/relay.ts, over in-memory pipes instead of a container's
 * attached stdin and stdout.
 */
import assert from "node:assert/strict";
import { encodeFrame, FRAME, FrameParser, relayMain } from "../../runtime-server/relay.ts";
import { RelayMux } from "../../src/runtime/mux.ts";
import { ServerRelay } from "../../src/runtime/relay.ts";

function pair() {
  const toRelay = new TransformStream<Uint8Array, Uint8Array>();
  const fromRelay = new TransformStream<Uint8Array, Uint8Array>();
  // Closing the mux's side ends the relay's input, as a dropped engine connection would.
  const cut = new AbortController();
  const input = toRelay.readable.pipeThrough(new TransformStream(), { signal: cut.signal });
  const relay = relayMain(input, fromRelay.writable);
  const mux = new RelayMux({
    readable: fromRelay.readable,
    writable: toRelay.writable,
    close: () => cut.abort(),
  });
  return { mux, relay };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

Deno.test("frames: encoded frames split back across arbitrary chunk boundaries", () => {
  const bytes = new Uint8Array([
    ...encodeFrame(FRAME.OPEN, 7, new Uint8Array([1, 2, 3, 4, 5, 6])),
    ...encodeFrame(FRAME.DATA, 7, new TextEncoder().encode("hello")),
    ...encodeFrame(FRAME.CLOSE, 7),
  ]);
  const parser = new FrameParser();
  const frames = [];
  for (let i = 0; i < bytes.length; i += 4) frames.push(...parser.push(bytes.subarray(i, i + 4)));
  assert.deepEqual(frames.map((f) => [f.type, f.id, f.payload.length]), [
    [FRAME.OPEN, 7, 6],
    [FRAME.DATA, 7, 5],
    [FRAME.CLOSE, 7, 0],
  ]);
  assert.equal(new TextDecoder().decode(frames[1]!.payload), "hello");
});

Deno.test("relay: many HTTP requests over one mux, a server that starts late, a refused port", async () => {
  const { mux, relay } = pair();
  const port = freePort();
  // The server listens only 200 ms after the first request is on its way: the relay waits.
  let server: Deno.HttpServer | undefined;
  const late = setTimeout(() => {
    server = Deno.serve(
      { hostname: "127.0.0.1", port, onListen: () => {} },
      async (request) => new Response(`${request.method} ${await request.text()}`),
    );
  }, 200);
  const entrance = new ServerRelay((wait) => mux.dial(port, wait * 1000), 5);
  try {
    const first = await fetch(`${entrance.url}/`, { method: "POST", body: "one" });
    assert.equal(await first.text(), "POST one");
    entrance.serverReady();
    const bodies = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          fetch(`${entrance.url}/`, { method: "POST", body: "x".repeat(i * 10_000) }).then((r) =>
            r.text()
          ),
      ),
    );
    bodies.forEach((body, i) => assert.equal(body, `POST ${"x".repeat(i * 10_000)}`));

    const refused = new ServerRelay((wait) => mux.dial(freePort(), wait * 1000), 0);
    const started = performance.now();
    await assert.rejects(fetch(`${refused.url}/`));
    assert.ok(performance.now() - started < 2_000);
    refused.close();
  } finally {
    clearTimeout(late);
    entrance.close();
    mux.close();
    await server?.shutdown();
  }
  assert.equal(await relay, 0, "the relay ends with its input");
});
