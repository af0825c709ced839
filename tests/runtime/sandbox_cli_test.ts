import assert from "node:assert/strict";
import { BASE_IMAGE, ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { LABEL_PID, labelFilter } from "../../src/docker/labels.ts";
import { type RunningVelora, spawnVelora, velora, waitFor } from "../support/velora.ts";

const ignore = await ignoreWithoutDocker();

Deno.test({
  name: "velora sandbox runs each input line in one bash session and removes its container",
  ignore,
  async fn() {
    const out = await velora(["sandbox", BASE_IMAGE], {
      stdin: "cd /tmp\nexport N=6\necho $((N*7)) $PWD\nexit\n",
    });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /Sandbox ready in [\d.]+s/);
    assert.match(out.stdout, /^42 \/tmp\n\[The command completed with exit code 0\.\]$/m);
    const port = out.stderr.match(/127\.0\.0\.1:(\d+)/)?.[1];
    const left = await testDocker().listContainers({
      all: true,
      filters: { label: ["velora.run"] },
    });
    assert.equal(
      left.filter((c) => c.Command.includes(` ${port} `)).length,
      0,
      "the sandbox container was removed",
    );
  },
});

Deno.test({
  name: "velora sandbox names an image that is not loaded (exit 2)",
  ignore,
  async fn() {
    const out = await velora(["sandbox", "velora-no-such-image:none"]);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /image "velora-no-such-image:none" is not loaded/);
  },
});

function stop(child: RunningVelora): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // it has exited
  }
}

/** Containers (running or not) that the velora process `pid` made. */
async function containersOf(pid: number): Promise<number> {
  const found = await testDocker().listContainers({
    all: true,
    filters: { label: [labelFilter(LABEL_PID, String(pid))] },
  });
  return found.length;
}

Deno.test({
  name: "velora sandbox without a terminal: SIGINT interrupts the running command, the next runs",
  ignore,
  async fn() {
    const child = spawnVelora(["sandbox", BASE_IMAGE], {
      stdin: "echo before\nsleep 30\necho after\n",
    });
    try {
      await waitFor("the first command", () => child.stdout().includes("before\n"), 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // sleep 30 runs
      const sent = performance.now();
      child.kill("SIGINT");
      await waitFor("the interrupt", () => child.stdout().includes("CTRL+C was sent"), 10_000);
      const seconds = (performance.now() - sent) / 1000;
      assert.ok(seconds < 2, `the interrupt took ${seconds.toFixed(2)} s`);
      const out = await child.done;
      assert.equal(out.code, 0, out.stderr);
      assert.match(
        out.stdout,
        /\[The command completed with exit code 130\. CTRL\+C was sent\.\]\nafter\n/,
      );
      assert.equal(await containersOf(child.pid), 0, "the sandbox container was removed");
    } finally {
      stop(child);
      await child.done;
    }
  },
});

Deno.test({
  name: "velora sandbox: SIGTERM while a command runs removes the container and exits 130",
  ignore,
  async fn() {
    const child = spawnVelora(["sandbox", BASE_IMAGE], { stdin: "echo up && sleep 60\n" });
    try {
      await waitFor("the command", () => child.stdout().includes("up\n"), 60_000);
      child.kill("SIGTERM");
      const out = await child.done;
      assert.equal(out.code, 130, out.stderr);
      assert.match(out.stderr, /Interrupted: the sandbox was removed/);
      assert.equal(await containersOf(child.pid), 0, "the sandbox container was removed");
    } finally {
      stop(child);
      await child.done;
    }
  },
});
