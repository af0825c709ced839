import assert from "node:assert/strict";
import { MAIN, type TestServer, withServer } from "./_server.ts";

async function status(response: Promise<Response>): Promise<[number, unknown]> {
  const r = await response;
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return [r.status, body];
}

function post(server: TestServer, path: string, body: unknown, key: string | null) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== null) headers["X-Session-API-Key"] = key;
  return fetch(server.url + path, { method: "POST", headers, body: JSON.stringify(body) });
}

Deno.test("runtime server: /alive, /server_info, /vscode/connection_token, 404", async () => {
  await withServer({}, async (server) => {
    assert.deepEqual(await status(fetch(`${server.url}/alive`)), [200, { status: "ok" }]);
    const [code, info] = await status(server.fetch("/server_info"));
    assert.equal(code, 200);
    const i = info as {
      uptime: number;
      idle_time: number;
      resources: {
        memory: Record<string, number>;
        disk: Record<string, number>;
      } & Record<string, unknown>;
    };
    assert.equal(typeof i.uptime, "number");
    assert.equal(typeof i.idle_time, "number");
    assert.deepEqual(Object.keys(i.resources).sort(), ["cpu_percent", "disk", "io", "memory"]);
    assert.deepEqual(Object.keys(i.resources.memory).sort(), ["percent", "rss", "vms"]);
    assert.deepEqual(Object.keys(i.resources.disk).sort(), ["free", "percent", "total", "used"]);
    assert.ok((i.resources.memory.rss ?? 0) > 0);
    assert.ok((i.resources.disk.total ?? 0) > 0);
    assert.deepEqual(await status(server.fetch("/vscode/connection_token")), [200, {
      token: null,
    }]);
    assert.deepEqual(await status(server.fetch("/nope")), [404, { detail: "Not Found" }]);
    assert.deepEqual(await status(server.fetch("/execute_action")), [405, {
      detail: "Method Not Allowed",
    }]);
  });
});

Deno.test("runtime server: every path but /alive needs the API key (403, as OpenHands)", async () => {
  await withServer({}, async (server) => {
    const denied = [403, { detail: "Invalid API Key" }];
    assert.deepEqual(await status(fetch(`${server.url}/alive`)), [200, { status: "ok" }]);
    assert.deepEqual(await status(fetch(`${server.url}/server_info`)), denied);
    assert.deepEqual(
      await status(fetch(`${server.url}/server_info`, { headers: { "X-Session-API-Key": "no" } })),
      denied,
    );
    assert.deepEqual(await status(post(server, "/heartbeat", {}, null)), denied);
    const run = { action: { action: "run", args: { command: "echo hi" } } };
    assert.deepEqual(await status(post(server, "/execute_action", run, null)), denied);
    assert.deepEqual(await status(post(server, "/execute_action", run, "wrong")), denied);
    assert.deepEqual(await status(post(server, "/update_mcp_server", [], null)), denied);
    assert.deepEqual(await status(post(server, "/list_files", {}, null)), denied);
    assert.deepEqual(await status(post(server, "/upload_file?destination=/tmp", {}, null)), denied);
    assert.deepEqual(
      await status(fetch(`${server.url}/download_files?path=${server.workDir}`)),
      denied,
    );
    assert.deepEqual(await status(fetch(`${server.url}/vscode/connection_token`)), denied);
    const [code] = await status(post(server, "/execute_action", run, server.key));
    assert.equal(code, 200);
  });
});

Deno.test("runtime server: /update_mcp_server takes a list and answers 202: no MCP server runs", async () => {
  await withServer({}, async (server) => {
    const servers = [{ name: "fetch", command: "uvx", args: ["mcp-server-fetch"], env: {} }];
    assert.deepEqual(await status(post(server, "/update_mcp_server", servers, server.key)), [202, {
      detail: "MCP servers are not supported by this runtime; none was started",
      router_error_log: "fetch",
    }]);
    assert.deepEqual(await status(post(server, "/update_mcp_server", { x: 1 }, server.key)), [
      400,
      { detail: "Request must be a list of MCP tools to sync" },
    ]);
  });
});

Deno.test("runtime server: action decoding is lenient; unsupported actions are error observations", async () => {
  await withServer({}, async (server) => {
    const obs = await server.execute({
      id: 5,
      timestamp: "2025-04-30T16:32:57.821635",
      source: "agent",
      message: "Running command: echo hi",
      action: "run",
      args: { command: "echo hi", is_input: false, some_future_arg: { nested: true } },
      timeout: 30.0,
      tool_call_metadata: { tool_call_id: "x", function_name: "execute_bash" },
      llm_metrics: { accumulated_cost: 0 },
    });
    assert.equal(obs.content, "hi");

    const ipython = await server.execute({ action: "run_ipython", args: { code: "import os" } });
    assert.equal(ipython.observation, "error");
    assert.equal(typeof ipython.content, "string");

    const browse = await server.execute({ action: "browse", args: { url: "http://x" } });
    assert.equal(browse.content, "Browser functionality is not supported or disabled.");

    const unknown = await server.execute({ action: "fly_to_moon", args: {} });
    assert.deepEqual(unknown, {
      message: "Action fly_to_moon is not supported in the current runtime.",
      observation: "error",
      content: "Action fly_to_moon is not supported in the current runtime.",
      extras: { error_id: "AGENT_ERROR$BAD_ACTION" },
    });

    const bad = await server.fetch("/execute_action", { method: "POST", body: "{not json" });
    assert.equal(bad.status, 422);
    await bad.body?.cancel();
    const noType = await status(
      post(server, "/execute_action", { action: { args: {} } }, server.key),
    );
    assert.deepEqual(noType, [400, { detail: "Invalid action type" }]);
  });
});

Deno.test("runtime server: write and read actions", async () => {
  await withServer({}, async (server) => {
    const wd = server.workDir;
    await server.run("mkdir -p src && cd src");
    const written = await server.execute({
      action: "write",
      args: { path: "deep/new.txt", content: "alpha\nbeta", start: 0, end: -1, thought: "" },
    });
    assert.deepEqual(written, {
      message: `I wrote to the file ${wd}/src/deep/new.txt.`,
      observation: "write",
      content: "",
      extras: { path: `${wd}/src/deep/new.txt` },
    });
    assert.equal(await Deno.readTextFile(`${wd}/src/deep/new.txt`), "alpha\nbeta\n");
    assert.equal((await Deno.stat(`${wd}/src/deep/new.txt`)).mode! & 0o777, 0o664);

    const read = await server.execute({
      action: "read",
      args: { path: "deep/new.txt", start: 0, end: -1, thought: "", impl_source: "default" },
    });
    assert.deepEqual(read, {
      message: `I read the file ${wd}/src/deep/new.txt.`,
      observation: "read",
      content: "alpha\nbeta\n",
      extras: { path: `${wd}/src/deep/new.txt`, impl_source: "default" },
    });
    await Deno.writeTextFile(`${wd}/lines.txt`, "1\n2\n3\n4\n");
    const part = await server.execute({
      action: "read",
      args: { path: `${wd}/lines.txt`, start: 1, end: 3 },
    });
    assert.equal(part.content, "2\n3\n");

    await Deno.chmod(`${wd}/lines.txt`, 0o755);
    await server.execute({
      action: "write",
      args: { path: `${wd}/lines.txt`, content: "two\nthree", start: 1, end: 3 },
    });
    assert.equal(await Deno.readTextFile(`${wd}/lines.txt`), "1\ntwo\nthree\n4\n");
    assert.equal((await Deno.stat(`${wd}/lines.txt`)).mode! & 0o777, 0o755, "mode kept");

    const missing = await server.execute({ action: "read", args: { path: "nope.txt" } });
    assert.equal(missing.observation, "error");
    assert.equal(
      missing.content,
      `File not found: ${wd}/src/nope.txt. Your current working directory is ${wd}/src.`,
    );
    const dir = await server.execute({ action: "read", args: { path: wd } });
    assert.equal(dir.content, `Path is a directory: ${wd}. You can only read files`);
    await Deno.writeFile(`${wd}/blob.bin`, new Uint8Array([0, 159, 146, 150, 0, 0, 1, 2]));
    const binary = await server.execute({ action: "read", args: { path: `${wd}/blob.bin` } });
    assert.equal(binary.content, "ERROR_BINARY_FILE");
    await Deno.writeFile(`${wd}/latin.txt`, new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const latin = await server.execute({ action: "read", args: { path: `${wd}/latin.txt` } });
    assert.equal(latin.content, `File could not be decoded as utf-8: ${wd}/latin.txt.`);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await Deno.writeFile(`${wd}/img.png`, png);
    const image = await server.execute({ action: "read", args: { path: `${wd}/img.png` } });
    assert.equal(image.content, "data:image/png;base64,iVBORw0KGgo=");
  });
});

Deno.test("runtime server: OpenHands command line is accepted; unknown flags warn", async () => {
  let logs = "";
  await withServer({
    args: [
      "--plugins",
      "agent_skills",
      "jupyter",
      "--username",
      "root",
      "--user-id",
      "0",
      "--no-enable-browser",
      "--browsergym-eval-env",
      "x",
      "--some-future-flag",
      "--host",
      "127.0.0.1",
    ],
  }, async (server) => {
    assert.equal((await server.run("echo ok")).content, "ok");
    logs = await server.close();
  });
  assert.match(logs, /Ignoring unknown option "--some-future-flag"/);

  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-config", MAIN, "--working-dir", "/tmp"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /required: port/);
});
