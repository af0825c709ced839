import assert from "node:assert/strict";
import { RuntimeClient, RuntimeHttpError } from "../../src/runtime/client.ts";
import { sleep } from "../../src/sleep.ts";

/** A server on 127.0.0.1 answering `/execute_action` as `answer` says. */
function serve(answer: (request: Request) => Promise<Response> | Response) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, answer);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const observation = { observation: "run", content: "ok", extras: {} };
// `timeout: 0` and a grace of 0.05 s: a 50 ms limit on the whole request.
const quick = { action: "run", args: { command: "true" }, timeout: 0 };

Deno.test("RuntimeClient: a request's time limit ends with the request", async () => {
  await using server = serve(() => Response.json(observation));
  const signals: AbortSignal[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    if (init?.signal) signals.push(init.signal);
    return realFetch(input, init);
  };
  try {
    const client = new RuntimeClient(server.url, "key");
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await client.executeAction(quick, 0.05), observation);
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  await sleep(120);
  // Past the 50 ms limit: a signal from AbortSignal.timeout would have fired (its timer and
  // signal live until then); this one's timer went with the request.
  assert.equal(signals.length, 3);
  assert.ok(signals.every((signal) => !signal.aborted));
});

Deno.test("RuntimeClient: the time limit covers waiting for the answer and reading it", async () => {
  {
    await using server = serve(async () => {
      await sleep(300);
      return Response.json(observation);
    });
    await assert.rejects(
      new RuntimeClient(server.url).executeAction(quick, 0.05),
      (error) =>
        error instanceof RuntimeHttpError &&
        /did not answer POST \/execute_action/.test(error.message),
    );
  }
  {
    // Headers at once, the body never ends.
    let stop = () => {};
    await using server = serve(() =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"observation":'));
            stop = () => controller.close();
          },
        }),
        { headers: { "content-type": "application/json" } },
      )
    );
    await assert.rejects(
      new RuntimeClient(server.url).executeAction(quick, 0.05),
      (error) => (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError",
    );
    stop();
  }
});
