/**
 * Sandbox and evaluation pods of the Kubernetes backend against the test cluster: what the model
 * can and cannot reach inside a sandbox pod, a box's files and exit codes, and the dead man's
 * switch after the velora process that started a sandbox is killed.
 */
import assert from "node:assert/strict";
import { LABEL_RUN } from "../../src/docker/labels.ts";
import { KubeBackend, labelValue } from "../../src/runtime/kube_backend.ts";
import { BASE_IMAGE, ignoreWithoutDocker, uniqueRunLabel } from "../support/docker.ts";
import {
  ignoreWithoutK8s,
  kubectl,
  pushToTestRegistry,
  requireKubeconfig,
  TEST_REGISTRY,
  withNamespace,
} from "../support/k8s.ts";
import { REPO_ROOT } from "../support/demo_image.ts";
import { waitFor } from "../support/velora.ts";
import { evalUntilReady } from "../support/eval_child.ts";

const ignore = ignoreWithoutK8s() || await ignoreWithoutDocker();

async function backend(namespace: string): Promise<KubeBackend> {
  await pushToTestRegistry(BASE_IMAGE);
  return await KubeBackend.open({
    kubeconfig: requireKubeconfig(),
    registry: TEST_REGISTRY,
    namespace,
  });
}

Deno.test({
  name:
    "k8s: a sandbox pod has no cluster credentials and a read-only /velora; a box runs and takes files",
  ignore,
  fn: () =>
    withNamespace(async (namespace) => {
      const kube = await backend(namespace);
      const run = uniqueRunLabel("k8s-pod");
      await using sandbox = await kube.startSandbox({ image: BASE_IMAGE, run, phase: "infer" });
      const token = await sandbox.run(
        "ls /var/run/secrets/kubernetes.io/serviceaccount 2>&1; echo rc=$?",
      );
      assert.match(token.content, /No such file or directory[\s\S]*rc=2/);
      const write = await sandbox.run("touch /velora/x 2>&1; echo rc=$?");
      assert.match(write.content, /Read-only file system[\s\S]*rc=1/);
      assert.match((await sandbox.run("pwd")).content, /^\/workspace/);

      const box = await kube.startBox({
        image: BASE_IMAGE,
        purpose: { run, phase: "evaluate" },
        network: "none",
      });
      try {
        await box.putFiles([{
          path: "/eval/a b/run.sh",
          content: "echo out; echo err >&2; exit 7\n",
          mode: 0o755,
        }]);
        const result = await box.exec(["bash", "/eval/a b/run.sh"]);
        assert.deepEqual(result, { exitCode: 7, stdout: "out\n", stderr: "err\n" });
        assert.deepEqual(await box.state(), {
          running: true,
          oomKilled: false,
          exitCode: 0,
          error: "",
        });
        const labels = await kubectl([
          "get",
          "pod",
          "-n",
          namespace,
          box.id,
          "-o",
          "jsonpath={.metadata.labels}",
        ]);
        assert.equal(JSON.parse(labels.stdout)["velora.network"], "none");
      } finally {
        await box.remove();
      }
      assert.equal(await box.state(), null);
      await sandbox.close();
      assert.deepEqual(await kube.reap(run), []);
    }),
});

Deno.test({
  name: "k8s: the sandbox of a velora killed with SIGKILL stops within its owner timeout",
  ignore,
  fn: () =>
    withNamespace(async (namespace) => {
      const kube = await backend(namespace);
      const run = uniqueRunLabel("k8s-owner");
      const script = `
      import { KubeBackend } from "${REPO_ROOT}src/runtime/kube_backend.ts";
      const kube = await KubeBackend.open({ kubeconfig: "${requireKubeconfig()}", registry: "${TEST_REGISTRY}", namespace: "${namespace}" });
      await kube.startSandbox({ image: "${BASE_IMAGE}", run: "${run}", ownerTimeoutSeconds: 3 });
      console.log("ready");
      await new Promise(() => {});
    `;
      const child = await evalUntilReady(script);
      assert.match(child.out, /ready/);
      await child.kill();

      const selector = `${LABEL_RUN}=${labelValue(run)}`;
      const phase = async () =>
        (await kubectl([
          "get",
          "pods",
          "-n",
          namespace,
          "-l",
          selector,
          "-o",
          "jsonpath={.items[*].status.phase}",
        ]))
          .stdout;
      assert.equal(await phase(), "Running");
      // The server exits (code 3) once no heartbeat came for 3 s: the pod fails and stops.
      await waitFor(
        "the server to stop without heartbeats",
        async () => (await phase()) === "Failed",
        30_000,
      );
      const pod = (await kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "name"]))
        .stdout.trim();
      const logs = await kubectl(["logs", "-n", namespace, pod, "-c", "main"]);
      assert.match(logs.stdout + logs.stderr, /no request from its owner .*--owner-timeout 3/);
      assert.equal((await kube.reap(run)).length, 1);
      assert.equal(await phase(), "");
    }),
});
