/**
 * Evaluation overhead per instance beyond the test command's own time: N instances of the demo
 * task (gold patch) evaluated one after another, minus the time the same test command takes when
 * run directly in an already running container.
 *
 *     deno run -A bench/evaluate.ts [N=10]
 *
 * @module
 */
import { join } from "node:path";
import { connect } from "../src/docker/client.ts";
import { execIn, reap, startContainer } from "../src/docker/containers.ts";
import { LABEL_RUN } from "../src/docker/labels.ts";
import { toInstance } from "../src/dataset/formats/mod.ts";
import { runEvaluation } from "../src/evaluate/run_evaluation.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../tests/support/demo_image.ts";
import { DockerBackend } from "../src/runtime/docker_backend.ts";

const count = Number(Deno.args[0] ?? 10);
await ensureDemoImage();
const docker = connect();
const row = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));

// The test command alone, in a running container (after the test patch and fix are applied).
const run = `bench-eval-${crypto.randomUUID().slice(0, 8)}`;
const container = await startContainer(docker, {
  image: DEMO_IMAGE,
  labels: { [LABEL_RUN]: run },
  cmd: ["sleep", "600"],
  network: "none",
});
let testSeconds = 0;
try {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await execIn(container, ["bash", "-c", `cd /app/repo && ${row.test_command}`]);
    times.push((performance.now() - started) / 1000);
  }
  testSeconds = times.sort((a, b) => a - b)[2]!;
} finally {
  await reap(docker, run);
}

const dir = await Deno.makeTempDir({ prefix: "velora-bench-eval-" });
try {
  const file = join(dir, "output.jsonl");
  const rows = Array.from({ length: count }, (_, i) => ({
    instance_id: `bench-${i}`,
    test_result: { git_patch: row.patch },
    instance: toInstance({ ...row, instance_id: `bench-${i}` }).row,
  }));
  await Deno.writeTextFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const started = performance.now();
  const result = await runEvaluation({
    trajectoryFile: file,
    settings: {
      timeoutSeconds: 120,
      patchFallback: "none",
      network: "none",
      skippedPassToPassOk: false,
    },
    naming: { runtimeContainerImage: DEMO_IMAGE },
    numWorkers: 1,
    backend: new DockerBackend(docker),
    signal: new AbortController().signal,
    log: () => {},
  });
  const perInstance = (performance.now() - started) / 1000 / count;
  console.log(`Evaluate benchmark: ${count} instances, one at a time, ${Deno.build.target}`);
  console.log("");
  console.log("| measure | value | target |");
  console.log("|---|---|---|");
  console.log(`| wall time per instance | ${perInstance.toFixed(2)} s | |`);
  console.log(`| test command alone (median of 5) | ${testSeconds.toFixed(2)} s | |`);
  console.log(`| overhead per instance | ${(perInstance - testSeconds).toFixed(2)} s | ≤ 2 s |`);
  if (result.resolved !== count) throw new Error(`only ${result.resolved}/${count} resolved`);
} finally {
  await Deno.remove(dir, { recursive: true });
}
