/**
 * Sandbox networks and limits: by default a command in a sandbox cannot reach a service bound to
 * the host's 127.0.0.1 (with its own namespace or the run's shared one), `none` has no network
 * and its server is still reachable, `host` reaches the host (the switch works); default limits
 * are set and a larger value raises them.
 */
import assert from "node:assert/strict";
import {
  DEFAULT_MEMORY_GB,
  DEFAULT_PIDS_LIMIT,
  reap,
  removeContainerById,
} from "../../src/docker/containers.ts";
import { LABEL_ROLE, LABEL_RUN } from "../../src/docker/labels.ts";
import { type NetworkMode, SandboxNetworks } from "../../src/runtime/network.ts";
import { Sandbox, type SandboxOptions } from "../../src/runtime/sandbox.ts";
import { BASE_IMAGE, ignoreWithoutDocker, testDocker, uniqueRunLabel } from "../support/docker.ts";
import { evalUntilReady } from "../support/eval_child.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();

/** A page on the host's 127.0.0.1 only, as a database or a dashboard would be. */
async function withHostService(fn: (port: number) => Promise<void>): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("secret page on the host\n"),
  );
  try {
    await fn(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

/** What a command in the sandbox gets from 127.0.0.1:<port>, with bash and with Python. */
async function fetchFromSandbox(sandbox: Sandbox, port: number): Promise<string> {
  const bash = await sandbox.run(
    `timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && ` +
      `printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3' 2>&1; echo "bash exit $?"`,
    { timeout: 30 },
  );
  const python = await sandbox.run(
    `python3 -c 'import urllib.request; ` +
      `print(urllib.request.urlopen("http://127.0.0.1:${port}/", timeout=5).read().decode().strip())' ` +
      `2>&1 | tail -1; echo "python exit \${PIPESTATUS[0]}"`,
    { timeout: 30 },
  );
  return `${bash.content}\n${python.content}`;
}

/** Runs `fn` with a run label and that run's shared namespaces, removed afterwards. */
async function withSharedNetworks(
  fn: (run: string, networks: SandboxNetworks) => Promise<void>,
): Promise<void> {
  const run = uniqueRunLabel("network");
  const networks = new SandboxNetworks({ run });
  try {
    await fn(run, networks);
  } finally {
    await networks.close();
    await reap(docker, run);
  }
}

async function start(run: string, options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return await Sandbox.start(docker, { image: BASE_IMAGE, run, ...options });
}

Deno.test({
  name: "by default a sandbox cannot reach a service on the host's 127.0.0.1 (own namespace)",
  ignore,
  async fn() {
    const run = uniqueRunLabel("network");
    try {
      await withHostService(async (port) => {
        await using sandbox = await start(run);
        assert.equal(sandbox.network, "bridge");
        const got = await fetchFromSandbox(sandbox, port);
        assert.doesNotMatch(got, /secret page/);
        assert.match(got, /bash exit [1-9]/);
        assert.match(got, /python exit [1-9]/);
        // The sandbox still works: its server answers through the engine.
        assert.equal((await sandbox.run("echo still here")).content.trim(), "still here");
      });
    } finally {
      await reap(docker, run);
    }
  },
});

Deno.test({
  name: "sandboxes sharing a run's namespace (infer) cannot reach the host's 127.0.0.1 either",
  ignore,
  fn: () =>
    withSharedNetworks(async (run, networks) => {
      await withHostService(async (port) => {
        await using first = await start(run, { networks });
        await using second = await start(run, { networks });
        const [a, b] = [await first.container.inspect(), await second.container.inspect()];
        assert.match(a.HostConfig.NetworkMode ?? "", /^container:/);
        assert.equal(a.HostConfig.NetworkMode, b.HostConfig.NetworkMode, "one namespace");
        assert.notEqual(first.port, second.port);
        assert.doesNotMatch(await fetchFromSandbox(first, port), /secret page/);
        // Their servers are each other's loopback neighbours, but keyed.
        const probe = await first.run(
          `python3 -c 'import urllib.request, urllib.error
try:
  urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:${second.port}/execute_action", data=b"{}"))
except urllib.error.HTTPError as e:
  print("status", e.code)'`,
        );
        assert.match(probe.content, /status 403/);
      });
    }),
});

Deno.test({
  name: "network none: no route out, the server still answers; host: the host's 127.0.0.1 answers",
  ignore,
  fn: () =>
    withSharedNetworks(async (run, networks) => {
      await withHostService(async (port) => {
        for (
          const options of [{ network: "none" as NetworkMode }, {
            network: "none" as NetworkMode,
            networks,
          }]
        ) {
          await using sandbox = await start(run, options);
          const links = await sandbox.run("ls /sys/class/net | tr '\\n' ' '");
          assert.equal(links.content.trim(), "lo", "only a loopback");
          assert.doesNotMatch(await fetchFromSandbox(sandbox, port), /secret page/);
        }
        await using host = await start(run, { network: "host" });
        assert.equal((await host.container.inspect()).HostConfig.NetworkMode, "host");
        assert.match(
          await fetchFromSandbox(host, port),
          /secret page on the host[\s\S]*secret page on the host\npython exit 0/,
        );
      });
    }),
});

Deno.test({
  name: "a run's shared namespace goes when closed, and a new one replaces a removed holder",
  ignore,
  fn: () =>
    withSharedNetworks(async (run, networks) => {
      const first = await start(run, { networks });
      const holder = (await first.container.inspect()).HostConfig.NetworkMode!.slice(10);
      await first.close();
      // Removed behind velora's back (a reap): the next sandbox gets a new namespace.
      await removeContainerById(docker, holder);
      await using second = await start(run, { networks });
      const again = (await second.container.inspect()).HostConfig.NetworkMode!.slice(10);
      assert.notEqual(again, holder);
      assert.equal((await second.run("echo ok")).content.trim(), "ok");
      await networks.close();
      const left = await docker.listContainers({ all: true, filters: { id: [again] } });
      assert.deepEqual(left, [], "close() removed the holder");
    }),
});

Deno.test({
  name: "sandbox limits: pids and memory are set by default and a larger value raises them",
  ignore,
  async fn() {
    const run = uniqueRunLabel("limits");
    try {
      const byDefault = await start(run);
      const config = (await byDefault.container.inspect()).HostConfig;
      await byDefault.close();
      assert.equal(config.PidsLimit, DEFAULT_PIDS_LIMIT);
      assert.equal(config.Memory, DEFAULT_MEMORY_GB * 1e9);
      assert.ok(DEFAULT_PIDS_LIMIT >= 1024 && DEFAULT_MEMORY_GB >= 4);

      await using raised = await start(run, { pidsLimit: 8192, memoryBytes: 16e9 });
      const more = (await raised.container.inspect()).HostConfig;
      assert.equal(more.PidsLimit, 8192);
      assert.equal(more.Memory, 16e9);
      const max = await raised.run(
        "cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null",
      );
      assert.match(max.content, /8192/);
    } finally {
      await reap(docker, run);
    }
  },
});

Deno.test({
  name: "a shared namespace's holder goes by itself when its velora process is killed (-9)",
  ignore,
  async fn() {
    const run = uniqueRunLabel("network-kill");
    const script = `
      import { connect } from "${new URL("../../src/docker/client.ts", import.meta.url)}";
      import { SandboxNetworks } from "${new URL("../../src/runtime/network.ts", import.meta.url)}";
      import { Sandbox } from "${new URL("../../src/runtime/sandbox.ts", import.meta.url)}";
      const docker = connect();
      const networks = new SandboxNetworks({ run: "${run}" });
      const sandbox = await Sandbox.start(docker, { image: "${BASE_IMAGE}", run: "${run}", networks });
      await sandbox.run("echo started");
      console.log("ready");
      await new Promise(() => {});
    `;
    const child = await evalUntilReady(script);
    const out = child.out;
    const holders = () =>
      docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_RUN}=${run}`, `${LABEL_ROLE}=network`] },
      });
    try {
      assert.equal(out.trim(), "ready");
      assert.equal((await holders()).length, 1);
      await child.kill();
      const deadline = Date.now() + 10_000;
      while ((await holders()).length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(await holders(), [], "the holder is gone (its relay read end-of-file)");
    } finally {
      await child.kill();
      await reap(docker, run);
    }
  },
});
