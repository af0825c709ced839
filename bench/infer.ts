/**
 * Infer benchmarks (run the real CLI, real sandboxes, the demo instance image):
 *
 * 1. harness overhead per instance: a scripted model (no model time) making 20 tool calls;
 * 2. throughput with 1, 4 and 8 workers when every model call takes 1 s (fake OpenAI server on
 *    127.0.0.1), against linear scaling from 1 worker;
 * 3. peak RSS of the velora process with 8 workers.
 *
 *     deno run -A bench/infer.ts
 *
 * @module
 */
import { join } from "node:path";
import { FakeOpenAI, handler } from "../tests/fakes/fake_openai.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../tests/support/demo_image.ts";
import { spawnVelora } from "../tests/support/velora.ts";

/** The demo task's row. */
export const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));

/** Writes `tasks.jsonl` in `dir`: the demo row `count` times, ids `<prefix>-<i>`. */
export async function writeTasks(dir: string, count: number, prefix = "bench"): Promise<void> {
  const rows = Array.from(
    { length: count },
    (_, i) => ({ ...demoRow, instance_id: `${prefix}-${i}` }),
  );
  await Deno.writeTextFile(
    join(dir, "tasks.jsonl"),
    rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
  );
}

/** A `ChatCompletion` response with one tool call (`arguments` as a JSON string). */
export function toolCallResponse(call: { name: string; arguments: string }): Response {
  return Response.json({
    id: `c-${crypto.randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: "fake-model",
    choices: [{
      index: 0,
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{ id: `call-${crypto.randomUUID()}`, type: "function", function: call }],
      },
    }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  });
}

async function runInfer(
  dir: string,
  count: number,
  workers: number,
  config: string,
): Promise<{ seconds: number; peakRssMb: number; activeSeconds: number }> {
  await writeTasks(dir, count);
  await Deno.writeTextFile(join(dir, "config.toml"), config);
  await Deno.writeTextFile(
    join(dir, "p.toml"),
    `name = "bench"\noutput_dir = "run-${workers}-${count}"\n[[phases]]\nkind = "infer"\n` +
      `dataset = "tasks.jsonl"\nconfig_file = "config.toml"\nllm_config = "llm.bench"\n` +
      `num_workers = ${workers}\nmax_iterations = 30\n`,
  );
  const started = performance.now();
  const child = spawnVelora(["run", "p.toml"], {
    cwd: dir,
    env: { RUNTIME_CONTAINER_IMAGE: DEMO_IMAGE, CI: "true" },
  });
  let peak = 0;
  let cpuTicks = 0;
  const sampler = setInterval(() => {
    try {
      const stat = Deno.readTextFileSync(`/proc/${child.pid}/stat`).split(") ")[1]!.split(" ");
      cpuTicks = Number(stat[11]) + Number(stat[12]);
      const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      peak = Math.max(peak, Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0));
    } catch { /* exited */ }
  }, 50);
  const out = await child.done;
  clearInterval(sampler);
  if (Deno.env.get("VELORA_BENCH_CPU")) {
    console.error(`velora CPU: ${(cpuTicks / 100).toFixed(1)} s`);
  }
  if (out.code !== 0) throw new Error(out.stderr);
  return {
    seconds: (performance.now() - started) / 1000,
    peakRssMb: peak / 1024,
    activeSeconds: await activeSpan(join(dir, `run-${workers}-${count}`)),
  };
}

/** Seconds from the first instance's start to the last one's end, from the instance logs. */
export async function activeSpan(runDir: string): Promise<number> {
  let first = Infinity;
  let last = 0;
  const walk = async (path: string) => {
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child);
      else if (entry.name.startsWith("instance_") && entry.name.endsWith(".log")) {
        const lines = (await Deno.readTextFile(child)).trim().split("\n");
        first = Math.min(first, Date.parse(lines[0]!.split(" - ")[0]!));
        last = Math.max(last, Date.parse(lines.at(-1)!.split(" - ")[0]!));
      }
    }
  };
  await walk(join(runDir, "outputs"));
  return (last - first) / 1000;
}

if (import.meta.main) await main();

async function main(): Promise<void> {
  await ensureDemoImage();
  const dir = await Deno.makeTempDir({ prefix: "velora-bench-infer-" });
  try {
    // 1. Overhead: 19 bash calls and a finish, replayed with no model time.
    const script = [
      ...Array.from({ length: 19 }, (_, i) => ({
        tool_calls: [{ name: "execute_bash", arguments: { command: `echo step ${i}` } }],
      })),
      { tool_calls: [{ name: "finish", arguments: { message: "done" } }] },
    ];
    await Deno.writeTextFile(join(dir, "script.json"), JSON.stringify(script));
    const overheadCount = 5;
    const overhead = await runInfer(
      dir,
      overheadCount,
      1,
      '[llm.bench]\nmodel = "scripted:script.json"\n',
    );

    // 2. Throughput: each call answers after 1 s; an instance makes 2 bash calls and a finish.
    const server = FakeOpenAI.start(
      Array.from({ length: 2000 }, () =>
        handler(async (request) => {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          const turns = request.body.messages.filter((m: { role: string }) =>
            m.role === "assistant"
          ).length;
          const call = turns < 2
            ? { name: "execute_bash", arguments: JSON.stringify({ command: `echo turn ${turns}` }) }
            : { name: "finish", arguments: JSON.stringify({ message: "done" }) };
          return toolCallResponse(call);
        })),
    );
    const config =
      `[llm.bench]\nmodel = "fake-model"\napi_key = "sk-bench"\nbase_url = "${server.url}"\n`;
    const plan: [number, number][] = Deno.env.get("VELORA_BENCH_PLAN")
      ? JSON.parse(Deno.env.get("VELORA_BENCH_PLAN")!)
      : [[1, 6], [4, 16], [8, 32]];
    const throughput: {
      workers: number;
      count: number;
      perMinute: number;
      activePerMinute: number;
      rss: number;
    }[] = [];
    for (const [workers, count] of plan) {
      const r = await runInfer(dir, count, workers, config);
      throughput.push({
        workers,
        count,
        perMinute: (count / r.seconds) * 60,
        activePerMinute: (count / r.activeSeconds) * 60,
        rss: r.peakRssMb,
      });
    }
    await server.close();

    const base = throughput[0]!.perMinute;
    const activeBase = throughput[0]!.activePerMinute;
    console.log(`Infer benchmark, ${Deno.build.target}`);
    console.log("");
    console.log("| measure | value | target |");
    console.log("|---|---|---|");
    console.log(
      `| harness overhead per instance (20 tool calls, no model time, ${overheadCount} instances) | ${
        (overhead.seconds / overheadCount).toFixed(2)
      } s | ≤ 3 s |`,
    );
    for (const t of throughput) {
      const endToEnd = (t.perMinute / (base * t.workers)).toFixed(2);
      const active = (t.activePerMinute / (activeBase * t.workers)).toFixed(2);
      console.log(
        `| throughput, ${t.workers} workers (${t.count} instances, 1 s per model call) | ` +
          `${t.perMinute.toFixed(1)}/min = ${endToEnd} × linear end to end; ` +
          `${active} × linear from first start to last finish | ≥ 0.85 × linear |`,
      );
    }
    console.log(
      `| peak RSS of velora, 8 workers | ${throughput.at(-1)!.rss.toFixed(0)} MB | ≤ 250 MB |`,
    );
  } finally {
    if (Deno.env.get("VELORA_BENCH_KEEP")) console.error(`kept ${dir}`);
    else await Deno.remove(dir, { recursive: true });
  }
}
