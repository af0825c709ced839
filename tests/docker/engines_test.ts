import assert from "node:assert/strict";
import { join } from "node:path";
import { connectEngine, EngineUrlError, parseEngineUrl } from "../../src/docker/engines.ts";
import { UsageError } from "../../src/errors.ts";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { startSecondDockerd } from "../support/second_dockerd.ts";

const noEnv = () => undefined;

Deno.test("parseEngineUrl() reads unix, tcp and ssh URLs", () => {
  assert.deepEqual(parseEngineUrl("unix:///var/run/docker.sock"), {
    protocol: "unix",
    socketPath: "/var/run/docker.sock",
  });
  assert.deepEqual(parseEngineUrl("tcp://10.0.0.5:2376"), {
    protocol: "tcp",
    host: "10.0.0.5",
    port: 2376,
  });
  assert.deepEqual(parseEngineUrl("tcp://build-1.example"), {
    protocol: "tcp",
    host: "build-1.example",
  });
  assert.deepEqual(parseEngineUrl("tcp://[::1]:2375/"), {
    protocol: "tcp",
    host: "::1",
    port: 2375,
  });
  assert.deepEqual(parseEngineUrl("ssh://ci@build-2:2222"), {
    protocol: "ssh",
    host: "build-2",
    port: 2222,
    username: "ci",
  });
  assert.deepEqual(parseEngineUrl("ssh://build-2"), { protocol: "ssh", host: "build-2", port: 22 });
});

Deno.test("parseEngineUrl() refuses what cannot work, in one line naming the URL", () => {
  for (
    const [url, why] of [
      ["http://10.0.0.5:2375", /unknown scheme/],
      ["10.0.0.5:2375", /unknown scheme/],
      ["unix://docker.sock", /socket path must be absolute/],
      ["tcp://", /not a URL|no host/],
      ["tcp://10.0.0.5:2375/v1.41", /no path or query/],
      ["tcp://u@10.0.0.5:2375", /no user name with tcp/],
      ["ssh://u:secret@host", /no passwords/],
    ] as const
  ) {
    assert.throws(() => parseEngineUrl(url), (error: unknown) => {
      assert.ok(error instanceof EngineUrlError && error instanceof UsageError, url);
      assert.match(error.message, why, url);
      assert.ok(error.message.startsWith(`engine URL "${url}": `), error.message);
      assert.match(error.message, /expected unix:\/\/\/path, tcp:\/\/host\[:port\] or ssh:/);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("connectEngine() names the setting it cannot use", async () => {
  await assert.rejects(
    connectEngine({ url: "unix:///x.sock", tls: { ca: "a", cert: "b", key: "c" } }, "engines[0]"),
    /^UsageError: engines\[0\]: tls is for tcp:\/\/ engines only$/,
  );
  await assert.rejects(
    connectEngine({ url: "ftp://x" }, "engines[2]"),
    /^UsageError: engines\[2\]: engine URL "ftp:\/\/x": unknown scheme/,
  );
  await assert.rejects(
    connectEngine(
      { url: "tcp://127.0.0.1:2376", tls: { ca: "/nonexistent/ca.pem", cert: "b", key: "c" } },
      "engines[1]",
    ),
    /^UsageError: engines\[1\]\.tls\.ca: cannot read "\/nonexistent\/ca\.pem": /,
  );
  await assert.rejects(
    connectEngine(
      { url: "tcp://127.0.0.1:2376" },
      "--engine",
      (name) => ({ DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/nonexistent" })[name],
    ),
    /^UsageError: --engine: DOCKER_TLS_VERIFY=1 \(DOCKER_CERT_PATH\): cannot read "\/nonexistent\/ca\.pem"/,
  );
  await assert.rejects(
    connectEngine({ url: "ssh://ci@build-2" }, "engines[0]", noEnv),
    /^UsageError: engines\[0\]: ssh engines authenticate with the ssh agent, and SSH_AUTH_SOCK is not set/,
  );
});

Deno.test("connectEngine() takes nothing from DOCKER_HOST", async () => {
  const env: Record<string, string> = {
    DOCKER_HOST: "tcp://10.9.9.9:2376",
    DOCKER_TLS_VERIFY: "1",
    DOCKER_CERT_PATH: "/nonexistent",
  };
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, Deno.env.get(name)]));
  Object.entries(env).forEach(([name, value]) => Deno.env.set(name, value));
  try {
    const docker = await connectEngine({ url: "unix:///run/velora-none.sock" }, "x", noEnv);
    const modem = docker.modem as unknown as Record<string, unknown>;
    assert.equal(modem.socketPath, "/run/velora-none.sock");
    assert.equal(modem.host, undefined);
    assert.equal(modem.protocol, "http");
    const ssh = await connectEngine(
      { url: "ssh://ci@build-2:2222" },
      "x",
      (n) => n === "SSH_AUTH_SOCK" ? "/tmp/agent.sock" : undefined,
    );
    const sshModem = ssh.modem as unknown as Record<string, unknown>;
    assert.equal(sshModem.protocol, "ssh");
    assert.equal(sshModem.host, "build-2");
    assert.equal(sshModem.port, 2222);
    assert.equal(sshModem.username, "ci");
    assert.equal((sshModem.sshOptions as { agent: string }).agent, "/tmp/agent.sock");
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
});

Deno.test({
  name: "a tcp engine with TLS answers with the client certificates and not without them",
  ignore: await ignoreWithoutDocker(),
  async fn() {
    await using engine = await startSecondDockerd({ tls: true });
    const tls = engine.tls!;
    const docker = await connectEngine({ url: engine.tcpUrl!, tls }, "engines[0]");
    assert.equal(String(await docker.ping()), "OK");

    const dir = join(tls.ca, "..");
    const fromEnv = await connectEngine(
      { url: engine.tcpUrl! },
      "--engine",
      (name) => ({ DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: dir })[name],
    );
    assert.equal(String(await fromEnv.ping()), "OK");

    const plain = await connectEngine({ url: engine.tcpUrl! }, "engines[0]", noEnv);
    await assert.rejects(plain.ping());
  },
});
