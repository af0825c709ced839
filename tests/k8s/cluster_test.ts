/**
 * The test cluster itself (scripts/k8s-local.sh): a pod from an image pushed to its registry runs,
 * `kubectl exec` and `kubectl port-forward` reach it, and it is deleted with a short grace period.
 * Needs `VELORA_TEST_KUBECONFIG` (see tests/support/k8s.ts) and the Docker engine with the base image.
 */
import assert from "node:assert/strict";
import { BASE_IMAGE, ignoreWithoutDocker } from "../support/docker.ts";
import {
  ignoreWithoutK8s,
  kubectl,
  pushToTestRegistry,
  requireKubeconfig,
  spawnKubectl,
  TEST_REGISTRY,
} from "../support/k8s.ts";

const ignore = ignoreWithoutK8s() || await ignoreWithoutDocker();

/**
 * Watches port-forward's stdout: `port` is the local port of `Forwarding from 127.0.0.1:PORT ->`;
 * `drained` ends with the stream. The stream is read to its end, never cancelled: kubectl writes
 * `Handling connection for PORT` on each connection and dies of SIGPIPE if its stdout is closed.
 */
function watchForward(stdout: ReadableStream<Uint8Array>): {
  port: Promise<number>;
  drained: Promise<void>;
} {
  let found: (port: number) => void = () => {};
  let failed: (error: Error) => void = () => {};
  const port = new Promise<number>((resolve, reject) => {
    found = resolve;
    failed = reject;
  });
  const drained = (async () => {
    let seen = "";
    for await (const chunk of stdout.pipeThrough(new TextDecoderStream())) {
      seen += chunk;
      const match = seen.match(/Forwarding from 127\.0\.0\.1:(\d+) ->/);
      if (match) found(Number(match[1]));
    }
    failed(new Error(`kubectl port-forward ended before forwarding: ${seen}`));
  })();
  return { port, drained };
}

Deno.test({
  name: "k8s: a pod from the local registry runs; exec, port-forward and a short-grace delete work",
  ignore,
  async fn() {
    requireKubeconfig();
    const name = `velora-smoke-${crypto.randomUUID().slice(0, 8)}`;
    const image = await pushToTestRegistry(BASE_IMAGE);

    // Ready once python listens (the probe), so port-forward never races the server's start.
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, labels: { "app.kubernetes.io/managed-by": "velora-tests" } },
      spec: {
        restartPolicy: "Never",
        containers: [{
          name: "main",
          image,
          imagePullPolicy: "Always",
          command: ["python3", "-m", "http.server", "8080"],
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        }],
      },
    };
    await kubectl(["create", "-f", "-"], { stdin: JSON.stringify(pod) });
    try {
      await kubectl(["wait", "--for=condition=Ready", `pod/${name}`, "--timeout=180s"]);

      const imageId = await kubectl([
        "get",
        `pod/${name}`,
        "-o",
        "jsonpath={.status.containerStatuses[0].imageID}",
      ]);
      assert.match(imageId.stdout, new RegExp(`^${TEST_REGISTRY.replaceAll(".", "\\.")}/`));

      const exec = await kubectl(["exec", name, "--", "echo", "hi"]);
      assert.equal(exec.stdout, "hi\n");

      const forward = spawnKubectl(["port-forward", `pod/${name}`, ":8080"]);
      const forwardErrors = new Response(forward.stderr).text();
      const watch = watchForward(forward.stdout);
      let failure: unknown;
      try {
        const port = await watch.port;
        const response = await fetch(`http://127.0.0.1:${port}/`);
        assert.equal(response.status, 200);
        assert.match(await response.text(), /Directory listing/);
      } catch (error) {
        failure = error;
      }
      forward.kill("SIGTERM");
      const [said] = await Promise.all([forwardErrors, forward.status, watch.drained]);
      if (failure !== undefined) throw new Error(`port-forward: ${failure}; kubectl said: ${said}`);
    } finally {
      // python3 as PID 1 ignores SIGTERM: the grace period is what bounds the delete.
      await kubectl([
        "delete",
        "pod",
        name,
        "--grace-period=1",
        "--wait=true",
        "--timeout=60s",
        "--ignore-not-found",
      ]);
    }
    const gone = await kubectl(["get", "pod", name], { check: false });
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound|not found/);
  },
});
