/**
 * Backends side by side (issue 20): sandbox ready time (start to `/alive`) and the round trip of
 * `run echo hi`, on the Docker backend and on the Kubernetes backend of the local test cluster
 * (scripts/k8s-local.sh), in the same run, rounds interleaved (docker, kubernetes, docker, ...).
 * Also the start-to-finish time of an evaluation box (start, a file in, `exec true`, remove).
 *
 *     KUBECONFIG=... deno run -A --frozen --lock=tests/deno.lock bench/backends.ts [rounds=10]
 *
 * Needs the test base image in the local engine and in the registry ($VELORA_TEST_REGISTRY,
 * default 127.0.0.1:5000); pushes it there first. Prints markdown for bench/RESULTS.md.
 *
 * @module
 */
import { connect } from "../src/docker/client.ts";
import type { SandboxBackend } from "../src/runtime/backend.ts";
import { DockerBackend } from "../src/runtime/docker_backend.ts";
import { KubeBackend } from "../src/runtime/kube_backend.ts";
import { pushToTestRegistry, TEST_REGISTRY } from "../tests/support/k8s.ts";

const rounds = Number(Deno.args[0] ?? 10);
const image = Deno.env.get("VELORA_TEST_BASE_IMAGE") ?? "velora-test-base:bookworm";
await pushToTestRegistry(image);
const backends: SandboxBackend[] = [
  new DockerBackend(connect()),
  await KubeBackend.open({ registry: TEST_REGISTRY }),
];
const run = `bench-backends-${crypto.randomUUID().slice(0, 8)}`;
const samples = new Map(
  backends.map((
    b,
  ) => [b.kind, { ready: [] as number[], trip: [] as number[], box: [] as number[] }]),
);

async function round(backend: SandboxBackend): Promise<void> {
  const into = samples.get(backend.kind)!;
  const started = performance.now();
  const sandbox = await backend.startSandbox({ image, run, phase: "bench" });
  into.ready.push(performance.now() - started);
  try {
    await sandbox.run("true");
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await sandbox.run("echo hi");
      into.trip.push(performance.now() - t);
    }
  } finally {
    await sandbox.close();
  }
  const boxStarted = performance.now();
  const box = await backend.startBox({ image, purpose: { run, phase: "bench" }, network: "none" });
  try {
    await box.putFiles([{ path: "/tmp/velora-bench", content: "x" }]);
    await box.exec(["true"]);
  } finally {
    await box.remove();
  }
  into.box.push(performance.now() - boxStarted);
}

try {
  // One round each first, not counted: the runtime image push, first pulls and module caches.
  for (const backend of backends) await round(backend);
  for (const s of samples.values()) s.ready.length = s.trip.length = s.box.length = 0;
  for (let i = 0; i < rounds; i++) for (const backend of backends) await round(backend);
} finally {
  for (const backend of backends) await backend.reap(run);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const p90 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!;
};
const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
console.log(`${rounds} interleaved rounds, ${image}; load average ${load}\n`);
console.log(
  "| backend | sandbox ready, median (p90) | `echo hi` round trip, median (p90) | evaluation box start→removed, median |",
);
console.log(
  "| ------- | --------------------------- | ---------------------------------- | ------------------------------------ |",
);
for (const [kind, s] of samples) {
  console.log(
    `| ${kind} | ${median(s.ready).toFixed(0)} ms (${p90(s.ready).toFixed(0)}) | ` +
      `${median(s.trip).toFixed(1)} ms (${p90(s.trip).toFixed(1)}) | ${
        median(s.box).toFixed(0)
      } ms |`,
  );
}
