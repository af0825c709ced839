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
  requireKubeconfig,
  spawnKubectl,
  TEST_REGISTRY,
} from "../support/k8s.ts";
import { sh } from "../support/sh.ts";

const ignore = ignoreWithoutK8s() || await ignoreWithoutDocker();

/** Reads `Forwarding from 127.0.0.1:PORT -> ...` from port-forward's stdout. */
async function forwardedPort(stdout: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`kubectl port-forward ended before forwarding: ${seen}`);
      seen += value;
      const match = seen.match(/Forwarding from 127\.0\.0\.1:(\d+) ->/);
      if (match) return Number(match[1]);
    }
  } finally {
    await reader.cancel();
  }
}

Deno.test({
  name: "k8s: a pod from the local registry runs; exec, port-forward and a short-grace delete work",
  ignore,
  sanitizeResources: true,
  async fn() {
    requireKubeconfig();
    const name = `velora-smoke-${crypto.randomUUID().slice(0, 8)}`;
    const image = `${TEST_REGISTRY}/${BASE_IMAGE.replace(/^.*\//, "")}`;
    await sh(["docker", "tag", BASE_IMAGE, image]);
    try {
      await sh(["docker", "push", "--quiet", image]);
    } finally {
      await sh(["docker", "rmi", "--no-prune", image]); // only the tag made above
    }

    await kubectl([
      "run",
      name,
      `--image=${image}`,
      "--image-pull-policy=Always",
      "--restart=Never",
      "--labels=app.kubernetes.io/managed-by=velora-tests",
      "--command",
      "--",
      "python3",
      "-m",
      "http.server",
      "8080",
    ]);
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
      try {
        const port = await forwardedPort(forward.stdout);
        const response = await fetch(`http://127.0.0.1:${port}/`);
        assert.equal(response.status, 200);
        assert.match(await response.text(), /Directory listing/);
      } finally {
        forward.kill("SIGTERM");
        await forward.status;
        await forward.stderr.cancel();
      }
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
