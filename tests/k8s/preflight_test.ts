/**
 * The preflight phase on Kubernetes: the cluster and namespace answer, and the pods of this
 * host's velora processes that are gone are deleted (a live one's are kept), with no Docker engine
 * reachable.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { labelValue } from "../../src/runtime/kube_backend.ts";
import { BASE_IMAGE, ignoreWithoutDocker } from "../support/docker.ts";
import {
  ignoreWithoutK8s,
  kubectl,
  pushToTestRegistry,
  requireKubeconfig,
  TEST_REGISTRY,
  veloraPods,
  withNamespace,
} from "../support/k8s.ts";
import { velora } from "../support/velora.ts";

const ignore = ignoreWithoutK8s() || await ignoreWithoutDocker();

function pod(name: string, pid: number, image: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      labels: {
        "velora.run": "preflight-test",
        "velora.pid": String(pid),
        "velora.host": labelValue(Deno.hostname()),
      },
    },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 0,
      containers: [{ name: "main", image, command: ["sleep", "infinity"] }],
    },
  };
}

Deno.test({
  name: "k8s: preflight with backend = kubernetes deletes the pods of dead velora processes only",
  ignore,
  fn: () =>
    withNamespace(async (namespace) => {
      const image = await pushToTestRegistry(BASE_IMAGE);
      const gone = new Deno.Command("true").spawn();
      await gone.status;
      for (const [name, pid] of [["dead-owner", gone.pid], ["live-owner", Deno.pid]] as const) {
        await kubectl(["create", "-n", namespace, "-f", "-"], {
          stdin: JSON.stringify(pod(name, pid, image)),
        });
      }
      const dir = await Deno.makeTempDir({ prefix: "velora-k8s-preflight-" });
      try {
        await Deno.writeTextFile(
          join(dir, "p.toml"),
          `name = "preflight"\noutput_dir = "run"\n\n[[phases]]\nkind = "preflight"\n` +
            `min_free_disk_gb = 0\nmin_free_memory_gb = 0\nbackend = "kubernetes"\n` +
            `registry = "${TEST_REGISTRY}"\nkubernetes = { namespace = "${namespace}" }\n`,
        );
        const result = await velora(["run", "p.toml"], {
          cwd: dir,
          env: { KUBECONFIG: requireKubeconfig(), DOCKER_HOST: "unix:///nonexistent/docker.sock" },
        });
        assert.equal(result.code, 0, result.stderr);
        const log = result.stdout + result.stderr;
        assert.match(log, /removed pod dead-owner of run "preflight-test"/);
        assert.match(log, new RegExp(`kubernetes [^ ]+/${namespace} \\(https://[^)]+\\) answers`));
        assert.deepEqual(await veloraPods(namespace), ["pod/live-owner"]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }),
});
