/**
 * The Kubernetes backend end to end, against the test cluster (scripts/k8s-local.sh): the demo task
 * runs through `velora infer --backend kubernetes` in a pod (velora's runtime image pushed by velora,
 * the instance image pulled from the registry), its patch resolves the task under
 * `velora evaluate --backend kubernetes`, and no pod is left; a pipeline on Kubernetes killed with
 * SIGKILL resumes with no duplicate rows and no leftover pods.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import {
  ignoreWithoutK8s,
  pushToTestRegistry,
  requireKubeconfig,
  TEST_REGISTRY,
  veloraPods,
  withNamespace,
} from "../support/k8s.ts";
import { listTree, readOrEmpty, spawnVelora, velora, waitFor } from "../support/velora.ts";

const ignore = ignoreWithoutK8s() || await ignoreWithoutDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));

async function setUp(rows: number): Promise<string> {
  await ensureDemoImage();
  await pushToTestRegistry(DEMO_IMAGE);
  const dir = await Deno.makeTempDir({ prefix: "velora-k8s-" });
  const tasks = Array.from(
    { length: rows },
    (_, i) => JSON.stringify({ ...demoRow, instance_id: `demo__durations-k${i + 1}` }),
  );
  await Deno.writeTextFile(join(dir, "tasks.jsonl"), tasks.join("\n") + "\n");
  await Deno.copyFile(`${REPO_ROOT}data/demo/config.toml`, join(dir, "config.toml"));
  await Deno.copyFile(
    `${REPO_ROOT}data/demo/scripted_model.json`,
    join(dir, "scripted_model.json"),
  );
  return dir;
}

/** The output.jsonl under `dir`, once there is one (listTree gives [] for a missing folder). */
async function outputFile(dir: string): Promise<string | undefined> {
  const found = (await listTree(dir)).find((path) => path.endsWith("/output.jsonl"));
  return found === undefined ? undefined : join(dir, found);
}

function rowsOf(text: string): Record<string, unknown>[] {
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

Deno.test({
  name: "k8s: infer runs the demo task in a pod, evaluate resolves it there, no pod is left",
  ignore,
  fn: () =>
    withNamespace(async (namespace) => {
      // No Docker engine at all for velora: every sandbox and evaluation must be a pod.
      const env = {
        KUBECONFIG: requireKubeconfig(),
        DOCKER_HOST: "unix:///nonexistent/docker.sock",
      };
      const dir = await setUp(1);
      const backend = [
        "--backend",
        "kubernetes",
        "--registry",
        TEST_REGISTRY,
        "--namespace",
        namespace,
      ];
      const infer = await velora([
        "infer",
        "--dataset",
        "tasks.jsonl",
        "--llm-config",
        "llm.demo",
        "--output",
        "out",
        ...backend,
      ], { cwd: dir, env });
      assert.equal(infer.code, 0, infer.stderr);
      assert.match(infer.stderr, /sandboxes run on kubernetes /);

      const output = (await outputFile(join(dir, "out")))!;
      const [row] = rowsOf(await Deno.readTextFile(output));
      assert.equal(row!.error, null);
      const patch = (row!.test_result as { git_patch: string }).git_patch;
      assert.match(patch, /^diff --git /m);
      // The commands ran in a pod: the runtime server reports the pod's name as its hostname.
      const hosts = new Set(
        (row!.history as { observation?: string; extras?: { metadata?: { hostname?: string } } }[])
          .filter((event) => event.observation === "run")
          .map((event) => event.extras?.metadata?.hostname),
      );
      assert.equal(hosts.size, 1);
      assert.match([...hosts][0]!, /^velora-infer-[a-z0-9]+$/);

      const evaluate = await velora(["evaluate", "--trajectory-file", output, ...backend], {
        cwd: dir,
        env,
      });
      assert.equal(evaluate.code, 0, evaluate.stderr);
      assert.match(evaluate.stdout, /1\/1 resolved/);
      const evalDir = join(output, "..", "eval_outputs", "demo__durations-k1");
      const report = JSON.parse(await Deno.readTextFile(join(evalDir, "report.json")));
      assert.equal(report["demo__durations-k1"].resolved, true);
      assert.match(await Deno.readTextFile(join(evalDir, "run_instance.log")), /network none/);
      assert.deepEqual(await veloraPods(namespace), []);
      await Deno.remove(dir, { recursive: true });
    }),
});

Deno.test({
  name:
    "k8s: a pipeline with backend = kubernetes killed with SIGKILL resumes: no duplicates, no pods left",
  ignore,
  fn: () =>
    withNamespace(async (namespace) => {
      const env = { KUBECONFIG: requireKubeconfig() };
      const dir = await setUp(6);
      await Deno.writeTextFile(
        join(dir, "p.toml"),
        `name = "k8s"\noutput_dir = "run"\n\n[[phases]]\nkind = "infer"\ndataset = "tasks.jsonl"\n` +
          `llm_config = "llm.demo"\nnum_workers = 2\nbackend = "kubernetes"\n` +
          `registry = "${TEST_REGISTRY}"\nkubernetes = { namespace = "${namespace}" }\n`,
      );
      const first = spawnVelora(["run", "p.toml"], { cwd: dir, env });
      let output: string | undefined;
      await waitFor("the first row", async () => {
        output ??= await outputFile(join(dir, "run"));
        return output !== undefined && rowsOf(await readOrEmpty(output)).length >= 1;
      }, 180_000);
      first.kill("SIGKILL");
      assert.equal((await first.done).signal, "SIGKILL");
      const before = rowsOf(await readOrEmpty(output!)).length;
      assert.ok(before < 6, `the run was killed after ${before} rows`);

      const again = await velora(["run", "p.toml"], { cwd: dir, env });
      assert.equal(again.code, 0, again.stderr);
      const rows = rowsOf(await Deno.readTextFile(output!));
      const ids = rows.map((row) => row.instance_id as string);
      assert.equal(ids.length, 6);
      assert.equal(new Set(ids).size, 6);
      assert.ok(rows.every((row) => row.error === null));
      assert.deepEqual(await veloraPods(namespace), []);
      await Deno.remove(dir, { recursive: true });
    }),
});
