/**
 * Sandbox benchmark: time from container create to `/alive`, and the round trip of `run echo hi`,
 * over N sandboxes started one after another from the test base image.
 *
 *     deno run -A bench/sandbox.ts [N=50] [--network none|bridge|host] [--own-network]
 *
 * As the infer phase does, the sandboxes join one network namespace per mode
 * (`SandboxNetworks`); `--own-network` gives each its own instead (as `velora sandbox`, or infer
 * with per-instance image loading).
 *
 * Targets on the reference machine (2 cores): ready ≤ 1.5 s, round trip ≤ 15 ms median.
 *
 * @module
 */
import { connect } from "../src/docker/client.ts";
import { reap } from "../src/docker/containers.ts";
import { parseNetworkMode, SandboxNetworks } from "../src/runtime/network.ts";
import { Sandbox } from "../src/runtime/sandbox.ts";

const args = [...Deno.args];
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args.splice(at, name === "--network" ? 2 : 1).at(-1);
};
const network = parseNetworkMode(flag("--network") ?? "bridge");
const ownNetwork = flag("--own-network") !== undefined;
const image = Deno.env.get("VELORA_TEST_BASE_IMAGE") ?? "velora-test-base:bookworm";
const count = Number(args[0] ?? 50);
const docker = connect();
const run = `bench-${crypto.randomUUID()}`;
const networks = ownNetwork ? undefined : new SandboxNetworks({ run });
const ready: number[] = [];
const roundTrip: number[] = [];

try {
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const sandbox = await Sandbox.start(docker, {
      image,
      run,
      network,
      ...(networks ? { networks } : {}),
    });
    ready.push(performance.now() - started);
    try {
      await sandbox.run("true"); // warm-up: the first command starts nothing new
      for (let j = 0; j < 10; j++) {
        const t = performance.now();
        await sandbox.run("echo hi");
        roundTrip.push(performance.now() - t);
      }
    } finally {
      await sandbox.close();
    }
  }
} finally {
  await networks?.close();
  await reap(docker, run);
}

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
};
const fmt = (label: string, xs: number[], unit: "s" | "ms") => {
  const s = stats(xs);
  const f = (v: number) => unit === "s" ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;
  return `| ${label} | ${xs.length} | ${f(s.median)} | ${f(s.p95)} | ${f(s.max)} |`;
};
const how = networks ? "shared namespace" : "own namespace";
console.log(
  `Sandbox benchmark: ${count} sandboxes from ${image}, network ${network} (${how}), ` +
    Deno.build.target,
);
console.log("| measure | samples | median | p95 | max |");
console.log("|---|---|---|---|---|");
console.log(fmt("create → /alive", ready, "s"));
console.log(fmt("run `echo hi` round trip", roundTrip, "ms"));
