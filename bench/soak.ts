/**
 * Soak benchmark (issue 18): a real pipeline (infer → evaluate → report) over many copies of the
 * demo task, a fake model on 127.0.0.1 answering after 0.2 s with 3–5 tool calls per instance
 * (bash calls, then finish). Every 10 s it samples velora's RSS (the process and its children),
 * its open file descriptors, its live containers (`velora.pid` label) and the rows in
 * output.jsonl. Then the rate of a 50-instance run with the same workers, and a run of as many
 * instances killed with SIGKILL at half the rows and resumed.
 *
 * Flat (bench/trend.ts): the infer phase's samples after a 60 s warm-up, cut into windows; of the
 * least-squares lines through the windows' lowest and highest RSS (and fds), neither the peaks'
 * nor the band's middle may rise over the run by more than 10 % of the first window's lowest;
 * containers never exceed the workers' sandboxes plus the network holder, and none are left.
 *
 *     deno run -A --frozen --lock=tests/deno.lock bench/soak.ts --instances 1000 --workers 8
 *
 * Prints markdown for bench/RESULTS.md.
 *
 * @module
 */
import { join } from "node:path";
import { FakeOpenAI, handler } from "../tests/fakes/fake_openai.ts";
import { DEMO_IMAGE, ensureDemoImage } from "../tests/support/demo_image.ts";
import { spawnVelora } from "../tests/support/velora.ts";
import { activeSpan, toolCallResponse, writeTasks } from "./infer.ts";
import { trend, trendTable } from "./trend.ts";

const flags: Record<string, string> = {
  instances: "1000",
  workers: "8",
  small: "50",
  interval: "10",
  skip: "", // soak,small,kill
};
for (let i = 0; i < Deno.args.length; i += 2) {
  const name = Deno.args[i]!.replace(/^--/, "");
  if (!(name in flags) || Deno.args[i + 1] === undefined) throw new Error(`bad flag ${name}`);
  flags[name] = Deno.args[i + 1]!;
}
const INSTANCES = Number(flags.instances);
const WORKERS = Number(flags.workers);
const SMALL = Number(flags.small);
const INTERVAL_MS = Number(flags.interval) * 1000;
const skip = new Set(String(flags.skip).split(",").filter(Boolean));

/** The fake model: 0.2 s per call; the first call picks 3–5 calls in all and says so. */
function fakeModel(): FakeOpenAI {
  return FakeOpenAI.start(
    Array.from({ length: INSTANCES * 12 + SMALL * 6 + 100 }, () =>
      handler(async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        // deno-lint-ignore no-explicit-any -- parsed request body
        const assistant = request.body.messages.filter((m: any) => m.role === "assistant");
        let total = 3 + Math.floor(Math.random() * 3);
        const first = assistant[0]?.tool_calls?.[0]?.function?.arguments;
        if (first) total = Number(JSON.parse(first).command.match(/calls=(\d)/)?.[1] ?? 3);
        const turn = assistant.length;
        return toolCallResponse(
          turn < total - 1
            ? {
              name: "execute_bash",
              arguments: JSON.stringify({ command: `echo calls=${total} turn=${turn}` }),
            }
            : { name: "finish", arguments: JSON.stringify({ message: "done" }) },
        );
      })),
  );
}

async function setUp(dir: string, count: number, prefix: string, url: string): Promise<void> {
  await writeTasks(dir, count, prefix);
  await Deno.writeTextFile(
    join(dir, "config.toml"),
    `[llm.bench]\nmodel = "fake-model"\napi_key = "sk-bench"\nbase_url = "${url}"\n`,
  );
  await Deno.writeTextFile(
    join(dir, "p.toml"),
    `name = "soak"\noutput_dir = "run"\n\n[[phases]]\nkind = "infer"\n` +
      `dataset = "tasks.jsonl"\nconfig_file = "config.toml"\nllm_config = "llm.bench"\n` +
      `num_workers = ${WORKERS}\nmax_iterations = 30\n\n[[phases]]\nkind = "evaluate"\n` +
      `num_workers = ${WORKERS}\ntimeout = 120\n\n[[phases]]\nkind = "report"\n`,
  );
}

/** The infer phase's output.jsonl under `dir` (undefined before it exists). */
async function outputFile(dir: string): Promise<string | undefined> {
  const walk = async (path: string): Promise<string | undefined> => {
    try {
      for await (const entry of Deno.readDir(path)) {
        const child = join(path, entry.name);
        if (entry.isDirectory) {
          const found = await walk(child);
          if (found) return found;
        } else if (entry.name === "output.jsonl") return child;
      }
    } catch { /* not there yet */ }
    return undefined;
  };
  return await walk(join(dir, "run", "outputs"));
}

/** The ids of the rows in output.jsonl, and how many rows have an `error`. */
async function outputRows(dir: string): Promise<{ ids: string[]; errors: number }> {
  const file = await outputFile(dir);
  if (!file) return { ids: [], errors: 0 };
  const text = await Deno.readTextFile(file);
  let errors = 0;
  const ids = text.split("\n").filter(Boolean).flatMap((line) => {
    try {
      const row = JSON.parse(line);
      if (row.error) errors++;
      return [row.instance_id as string];
    } catch {
      return []; // a torn last line after SIGKILL
    }
  });
  return { ids, errors };
}

async function countRows(dir: string): Promise<number> {
  const file = await outputFile(dir);
  if (!file) return 0;
  const bytes = await Deno.readFile(file);
  let n = 0;
  for (const b of bytes) if (b === 10) n++;
  return n;
}

/** `pid` and its descendants. */
function family(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry.name)]);
    } catch { /* gone */ }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]!) ?? []));
  return out;
}

function rssKb(pid: number): number {
  try {
    return Number(Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function fdCount(pid: number): number {
  try {
    return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
  } catch {
    return 0;
  }
}

async function containers(pids: number[]): Promise<number> {
  const ids = new Set<string>();
  for (const pid of pids) {
    const out = await new Deno.Command("docker", {
      args: ["ps", "-aq", "--filter", `label=velora.pid=${pid}`],
      stdout: "piped",
      stderr: "null",
    }).output();
    for (const id of new TextDecoder().decode(out.stdout).split("\n")) if (id) ids.add(id);
  }
  return ids.size;
}

function loadAverage(): string {
  return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
}

interface Sample {
  t: number;
  rows: number;
  rssMb: number;
  fds: number;
  containers: number;
  load: string;
}

/**
 * Runs `velora run p.toml` in `dir`, sampling every interval; `killAt` rows: SIGKILL then.
 */
async function runPipeline(
  dir: string,
  options: { sample?: boolean; killAt?: number } = {},
): Promise<{ pid: number; code: number; seconds: number; samples: Sample[]; stderr: string }> {
  const started = performance.now();
  const child = spawnVelora(["run", "p.toml"], {
    cwd: dir,
    env: { RUNTIME_CONTAINER_IMAGE: DEMO_IMAGE, CI: "true" },
  });
  const samples: Sample[] = [];
  let finished = false;
  const done = child.done.then((r) => {
    finished = true;
    return r;
  });
  const take = async () => {
    const pids = family(child.pid);
    samples.push({
      t: (performance.now() - started) / 1000,
      rows: await countRows(dir),
      rssMb: pids.reduce((sum, pid) => sum + rssKb(pid), 0) / 1024,
      fds: fdCount(child.pid),
      containers: await containers([child.pid]),
      load: loadAverage(),
    });
    const s = samples.at(-1)!;
    console.error(
      `  t=${s.t.toFixed(0)}s rows=${s.rows} rss=${s.rssMb.toFixed(0)}MB fds=${s.fds} ` +
        `containers=${s.containers} load=${s.load}`,
    );
  };
  const sampler = options.sample
    ? (async () => {
      let next = started;
      while (!finished) {
        await take();
        next += INTERVAL_MS;
        while (!finished && performance.now() < next) {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })()
    : Promise.resolve();
  if (options.killAt !== undefined) {
    while (!finished && (await countRows(dir)) < options.killAt) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!finished) child.kill("SIGKILL");
  }
  const out = await done;
  await sampler;
  return {
    pid: child.pid,
    code: out.code,
    seconds: (performance.now() - started) / 1000,
    samples,
    stderr: out.stderr,
  };
}

await ensureDemoImage();
const server = fakeModel();
const root = await Deno.makeTempDir({ prefix: "velora-bench-soak-" });
const lines: string[] = [];
const print = (line = "") => {
  lines.push(line);
  console.log(line);
};
try {
  print(
    `Soak, ${INSTANCES} instances, ${WORKERS} workers, ${Deno.build.target}, load at start ` +
      loadAverage(),
  );

  // 1. The soak.
  let soakRate = 0;
  if (!skip.has("soak")) {
    const dir = join(root, "soak");
    await Deno.mkdir(dir);
    await setUp(dir, INSTANCES, "soak", server.url);
    const run = await runPipeline(dir, { sample: true });
    if (run.code !== 0) throw new Error(`soak run failed (${run.code}):\n${run.stderr}`);
    const active = await activeSpan(join(dir, "run"));
    soakRate = (INSTANCES / active) * 60;
    const { ids, errors } = await outputRows(dir);
    print();
    print(
      `| time (s) | rows | rows/min (since previous sample) | RSS MB | fds | containers | load |`,
    );
    print(`| --- | --- | --- | --- | --- | --- | --- |`);
    run.samples.forEach((s, i) => {
      const prev = run.samples[i - 1];
      const rate = prev ? ((s.rows - prev.rows) / (s.t - prev.t)) * 60 : 0;
      print(
        `| ${s.t.toFixed(0)} | ${s.rows} | ${rate.toFixed(0)} | ${
          s.rssMb.toFixed(0)
        } | ${s.fds} | ` +
          `${s.containers} | ${s.load} |`,
      );
    });
    // Flat (bench/trend.ts): the infer phase's samples after warm-up (the first 60 s), cut into
    // windows; neither the least-squares line through the windows' peaks nor the band's middle
    // may rise over the run by more than 10 % of the first floor. Containers: never more than the
    // workers' sandboxes and the network holder, none left.
    const inferring = run.samples.filter((s, i) => s.t >= 60 && s.rows < INSTANCES && i > 0);
    const judge = (f: (s: Sample) => number) =>
      trend(inferring.map((s) => ({ rows: s.rows, value: f(s) })));
    const rss = judge((s) => s.rssMb);
    const fds = judge((s) => s.fds);
    const maxContainers = Math.max(0, ...inferring.map((s) => s.containers));
    const left = await containers([run.pid]);
    const half = Math.floor(inferring.length / 2);
    const rateOf = (xs: Sample[]) =>
      xs.length > 1 ? ((xs.at(-1)!.rows - xs[0]!.rows) / (xs.at(-1)!.t - xs[0]!.t)) * 60 : NaN;
    const [rateA, rateB] = [rateOf(inferring.slice(0, half)), rateOf(inferring.slice(half))];
    print();
    print(
      `Infer samples after a 60 s warm-up: ${inferring.length}, instances ` +
        `${inferring[0]?.rows ?? 0}–${inferring.at(-1)?.rows ?? 0}, in ${rss.windows.length} ` +
        `windows.`,
    );
    print();
    for (const line of trendTable([["RSS MB", rss], ["fds", fds]])) print(line);
    const flat = rss.flat && fds.flat && maxContainers <= WORKERS + 1 && left === 0;
    const kb = (slopePer100: number) => ((slopePer100 * 1024) / 100).toFixed(1);
    print();
    print(
      `Verdict: ${flat ? "flat" : "NOT flat"} after warm-up (RSS and fds: the peak line and the ` +
        `band's middle rise ≤ 10 % of the first floor over the run; containers ≤ ${
          WORKERS + 1
        }, none left). ` +
        `RSS floor ${kb(rss.floorSlope)} kB, peak ${kb(rss.peakSlope)} kB per instance; ` +
        `containers at most ${maxContainers}, ${left} left; rate ${rateA.toFixed(1)} → ` +
        `${rateB.toFixed(1)}/min (first → second half). ${ids.length} rows (${errors} with an ` +
        `error), ${new Set(ids).size} distinct ids; whole pipeline ${
          run.seconds.toFixed(0)
        } s; infer ` +
        `active ${active.toFixed(0)} s = ${soakRate.toFixed(1)}/min; load ${loadAverage()}.`,
    );
  }

  // 2. The rate of a short run with the same workers.
  if (!skip.has("small")) {
    const dir = join(root, "small");
    await Deno.mkdir(dir);
    await setUp(dir, SMALL, "small", server.url);
    const loadBefore = loadAverage();
    const run = await runPipeline(dir);
    if (run.code !== 0) throw new Error(`small run failed (${run.code}):\n${run.stderr}`);
    const smallRate = (SMALL / (await activeSpan(join(dir, "run")))) * 60;
    print();
    print(
      `${SMALL}-instance run, ${WORKERS} workers: ${smallRate.toFixed(1)}/min (first start to ` +
        `last finish)` +
        (soakRate
          ? `; soak ${soakRate.toFixed(1)}/min = ${
            (soakRate / smallRate).toFixed(2)
          } × (target ≥ 0.85)`
          : "") +
        `; load ${loadBefore} before, ${loadAverage()} after.`,
    );
  }

  // 3. SIGKILL at half the rows, then resume.
  if (!skip.has("kill")) {
    const dir = join(root, "kill");
    await Deno.mkdir(dir);
    await setUp(dir, INSTANCES, "kill", server.url);
    const half = Math.floor(INSTANCES / 2);
    const loadBefore = loadAverage();
    const killed = await runPipeline(dir, { killAt: half });
    const atKill = (await outputRows(dir)).ids;
    const orphans = await containers([killed.pid]);
    const resumed = await runPipeline(dir);
    if (resumed.code !== 0) throw new Error(`resume failed (${resumed.code}):\n${resumed.stderr}`);
    const { ids, errors } = await outputRows(dir);
    const left = await containers([killed.pid, resumed.pid]);
    print();
    print(
      `kill -9 at ${half} rows (${atKill.length} rows at the kill, ${
        killed.seconds.toFixed(0)
      } s; ${orphans} containers of the killed process left), then \`velora run\` again ` +
        `(${resumed.seconds.toFixed(0)} s): ${ids.length} rows (${errors} with an error), ${
          ids.length - new Set(ids).size
        } duplicate ids, ${new Set(ids).size} distinct, ${left} containers left ` +
        `(killed + resumed process labels); load ${loadBefore} before, ${loadAverage()} after.`,
    );
  }
} finally {
  await server.close();
  if (Deno.env.get("VELORA_BENCH_KEEP")) console.error(`kept ${root}`);
  else await Deno.remove(root, { recursive: true });
}
