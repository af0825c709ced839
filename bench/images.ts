/**
 * Per-instance image loading benchmark: instances per minute of an infer run in
 * `load = "per-instance"` mode, with and without look-ahead (`lookahead = 0` loads each image when
 * its instance starts, the way velora did before look-ahead).
 *
 * N images (default 8), each the demo image (built on the test base image) plus a layer of
 * random data (default 80 MB, so archives of about 360 MB), are `docker save`d to a folder in /tmp
 * and removed from the engine; a dataset gives each instance its own archive. Each run is
 * `velora run` of a load-images phase (per-instance) and an infer phase (2 workers) whose scripted
 * model runs `sleep <work>` once and finishes. Runs alternate between the modes, same machine.
 *
 *     deno run -A bench/images.ts
 *
 * Environment: `VELORA_BENCH_IMAGES` (N), `VELORA_BENCH_LAYER_MB`, `VELORA_BENCH_WORK_S` (the
 * agent's work per instance, default 5 s), `VELORA_BENCH_ROUNDS` (default 2),
 * `VELORA_BENCH_MODES` (a JSON list of `"<lookahead>"` or `"<lookahead>/<parallel>"`, default
 * `["0", "2"]`),
 * `VELORA_BENCH_BASELINE` (a checkout of an earlier velora to run as the mode "before"),
 * `VELORA_BENCH_LOGS` (a folder for each run's output).
 *
 * @module
 */
import { join } from "node:path";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../tests/support/demo_image.ts";
import { sh } from "../tests/support/sh.ts";

const count = Number(Deno.env.get("VELORA_BENCH_IMAGES") ?? 8);
const layerMb = Number(Deno.env.get("VELORA_BENCH_LAYER_MB") ?? 80);
const workSeconds = Number(Deno.env.get("VELORA_BENCH_WORK_S") ?? 5);
const rounds = Number(Deno.env.get("VELORA_BENCH_ROUNDS") ?? 2);
/** `"<lookahead>"` or `"<lookahead>/<parallel>"`; "before" runs the baseline checkout. */
const modes: string[] = JSON.parse(Deno.env.get("VELORA_BENCH_MODES") ?? '["0", "2"]');
const baseline = Deno.env.get("VELORA_BENCH_BASELINE");
if (baseline) modes.unshift("before");

await ensureDemoImage();
const run = crypto.randomUUID().slice(0, 8);
const dir = await Deno.makeTempDir({ prefix: "velora-bench-images-" });
const tags = Array.from({ length: count }, (_, i) => `velora/bench-${run}-${i}:base`);

/** Runs velora (this checkout, or the baseline's) in `cwd`; returns the seconds it took. */
async function velora(cwd: string, root: string): Promise<{ seconds: number; stderr: string }> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "--config",
      join(root, "deno.json"),
      join(root, "main.ts"),
      "run",
      "p.toml",
    ],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(stderr);
  return { seconds: (performance.now() - started) / 1000, stderr };
}

/** Seconds of a phase, from the runner's `ok infer done in 12.3s` line. */
function phaseSeconds(stderr: string, phase: string): number | undefined {
  const match = new RegExp(`ok ${phase} done in ([\\d.]+)s`).exec(stderr);
  return match ? Number(match[1]) : undefined;
}

function label(mode: string): string {
  if (mode === "before") return "before look-ahead (baseline checkout)";
  const [lookahead, parallel] = mode.split("/");
  return `lookahead = ${lookahead}` + (parallel ? `, parallel = ${parallel}` : "");
}

try {
  let archiveBytes = 0;
  for (const [i, tag] of tags.entries()) {
    await sh(
      ["docker", "build", "-q", "--network", "none", "-t", tag, "-"],
      `FROM ${DEMO_IMAGE}\nRUN head -c ${layerMb}M /dev/urandom > /bench-${run}-${i}\n`,
    );
    const path = join(dir, `image-${i}.tar`);
    await sh(["docker", "save", "-o", path, tag]);
    await sh(["docker", "rmi", tag]);
    archiveBytes += (await Deno.stat(path)).size;
  }
  const row = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
  await Deno.writeTextFile(
    join(dir, "tasks.jsonl"),
    tags.map((_, i) =>
      JSON.stringify({
        ...row,
        instance_id: `bench-${run}-${i}`,
        image_storage_uri: join(dir, `image-${i}.tar`),
      })
    ).join("\n") + "\n",
  );
  await Deno.writeTextFile(
    join(dir, "script.json"),
    JSON.stringify([
      { tool_calls: [{ name: "execute_bash", arguments: { command: `sleep ${workSeconds}` } }] },
      { tool_calls: [{ name: "finish", arguments: { message: "done" } }] },
    ]),
  );
  await Deno.writeTextFile(join(dir, "config.toml"), '[llm.s]\nmodel = "scripted:script.json"\n');

  const results = new Map<string, { total: number[]; infer: number[] }>();
  let index = 0;
  for (let round = 0; round < rounds; round++) {
    for (const mode of modes) {
      const cwd = join(dir, `run-${index++}`);
      await Deno.mkdir(cwd);
      for (const file of ["tasks.jsonl", "script.json", "config.toml"]) {
        await Deno.copyFile(join(dir, file), join(cwd, file));
      }
      await Deno.writeTextFile(
        join(cwd, "p.toml"),
        `name = "bench"\noutput_dir = "run"\n\n[[phases]]\nkind = "load-images"\n` +
          `dataset = "tasks.jsonl"\nload = "per-instance"\n` +
          (mode === "before" ? "" : `lookahead = ${mode.split("/")[0]}\n`) +
          (mode.includes("/") ? `parallel = ${mode.split("/")[1]}\n` : "") +
          `\n[[phases]]\nkind = "infer"\ndataset = "tasks.jsonl"\nconfig_file = "config.toml"\n` +
          `llm_config = "llm.s"\nnum_workers = 2\nmax_iterations = 10\n`,
      );
      const { seconds, stderr } = await velora(cwd, mode === "before" ? baseline! : REPO_ROOT);
      const infer = phaseSeconds(stderr, "infer") ?? seconds;
      const errors = (stderr.match(/: error: /g) ?? []).length;
      if (errors > 0) throw new Error(`${errors} instances failed:\n${stderr}`);
      const key = mode;
      const entry = results.get(key) ?? { total: [], infer: [] };
      entry.total.push(seconds);
      entry.infer.push(infer);
      results.set(key, entry);
      console.error(
        `round ${round + 1}, ${label(mode)}: ` +
          `${seconds.toFixed(1)} s (infer ${infer.toFixed(1)} s)`,
      );
      const logs = Deno.env.get("VELORA_BENCH_LOGS");
      if (logs) {
        await Deno.writeTextFile(
          join(logs, `run-${index - 1}-${mode.replace("/", "p")}.log`),
          stderr,
        );
      }
      await Deno.remove(cwd, { recursive: true });
    }
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  console.log(
    `Images benchmark: ${count} instances, archives of ${
      Math.round(archiveBytes / count / 1e6)
    } MB, ${workSeconds} s of agent work each, 2 workers, ${rounds} rounds\n`,
  );
  // Machines shared with other work drift between rounds: each mode is also compared with the
  // first one within the same round (median of the ratios).
  const first = results.get(modes[0]!)!;
  console.log(
    `| mode | infer phase (median) | instances/min | runs (s) | speed vs ${label(modes[0]!)} |`,
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const [mode, r] of results) {
    const seconds = median(r.infer);
    const ratio = median(r.infer.map((s, round) => first.infer[round]! / s));
    console.log(
      `| ${label(mode)} | ${seconds.toFixed(1)} s | ${(count / seconds * 60).toFixed(1)} | ${
        r.infer.map((s) => s.toFixed(1)).join(", ")
      } | ${ratio.toFixed(2)} × |`,
    );
  }
} finally {
  if (Deno.env.get("VELORA_BENCH_KEEP")) console.error(`kept ${dir}`);
  else await Deno.remove(dir, { recursive: true });
  for (const tag of tags) await sh(["docker", "rmi", tag]).catch(() => {});
}
