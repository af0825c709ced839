/**
 * Makes the pictures in docs/img/ from a real run (`deno task pictures`; needs a Docker engine with
 * the test base image, tmux and Debian's chromium):
 *
 * 1. In a temp dir, a pipeline of infer (8 rows of the demo task, the scripted model, 4 workers) →
 *    evaluate → report, run by velora from source inside a detached tmux session so that its live
 *    progress view is on.
 * 2. While infer runs: `tmux capture-pane -p -e` of the live view → docs/img/progress.svg.
 * 3. After the run: the run's report.html in headless Chromium (1280×860) → docs/img/report.png,
 *    and with the first table row's trajectory open → docs/img/trajectory.png.
 * 4. Cleans up: the tmux server (its own socket), the temp dir; checks that velora left no
 *    container (by its `velora.pid` label).
 *
 * ```sh
 * deno run -A --frozen --lock=tests/deno.lock docs/tools/pictures.ts [--keep]
 * ```
 *
 * `--keep` leaves the temp dir (its path is printed) for a look at the run.
 *
 * @module
 */
import { join } from "node:path";
import type { Page } from "npm:playwright-core@1.65.1";
import { launchChromium } from "../../tests/report/_browser.ts";
import { DEMO_IMAGE, ensureDemoImage } from "../../tests/support/demo_image.ts";
import { stripAnsi, terminalSvg } from "./terminal_svg.ts";
import { exists } from "../../src/fs.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const IMG = join(ROOT, "docs", "img");
const COLUMNS = 110;
const ROWS = 14;
const INSTANCES = 8;
const SOCKET = `velora-pictures-${Deno.pid}`;
const SESSION = "pictures";

function log(line: string) {
  console.error(`pictures: ${line}`);
}

async function sh(cmd: string, args: string[], allowFail = false): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success && !allowFail) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return text;
}

const tmux = (...args: string[]) => sh("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args]);

/**
 * The demo's script with a first test run that takes 2–5 s more (a different time per instance),
 * so the live view catches work in progress and the workers drift out of step.
 */
async function script(): Promise<unknown[]> {
  const turns = JSON.parse(await Deno.readTextFile(join(ROOT, "data/demo/scripted_model.json")));
  turns.splice(1, 0, {
    content: "Let me run the test suite before changing anything.",
    tool_calls: [{
      name: "execute_bash",
      arguments: {
        command:
          "cd /workspace/demo__durations__0.1 && python3 -m pytest -q -p no:cacheprovider tests; sleep $((2 + RANDOM % 4))",
      },
    }],
  });
  return turns;
}

async function writeRun(dir: string): Promise<void> {
  const row = JSON.parse(
    (await Deno.readTextFile(join(ROOT, "data/demo/tasks.jsonl"))).split("\n")[0]!,
  );
  const rows = Array.from(
    { length: INSTANCES },
    (_, i) => JSON.stringify({ ...row, instance_id: `demo__durations-${i + 1}` }),
  );
  await Deno.writeTextFile(join(dir, "tasks.jsonl"), rows.join("\n") + "\n");
  await Deno.writeTextFile(join(dir, "scripted_model.json"), JSON.stringify(await script()));
  await Deno.writeTextFile(
    join(dir, "config.toml"),
    `[llm.demo]
model = "scripted:scripted_model.json"
input_cost_per_token = 0.0000025
output_cost_per_token = 0.00001
`,
  );
  await Deno.writeTextFile(
    join(dir, "p.toml"),
    `name = "pictures"
output_dir = "run"

[[phases]]
kind = "infer"
dataset = "tasks.jsonl"
config_file = "config.toml"
llm_config = "llm.demo"
agent_cls = "CodeActAgent"
max_iterations = 20
num_workers = 4

[[phases]]
kind = "evaluate"
num_workers = 4
timeout = 300

[[phases]]
kind = "report"
`,
  );
  // The velora process records its PID (for the container check) and the shell its exit code.
  const velora = [
    Deno.execPath(),
    "run",
    "-A",
    "--frozen",
    "--quiet",
    "--config",
    join(ROOT, "deno.json"),
    join(ROOT, "main.ts"),
    "run",
    "p.toml",
  ].map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
  await Deno.writeTextFile(
    join(dir, "run.sh"),
    `unset CI NO_COLOR
export TERM=xterm-256color RUNTIME_CONTAINER_IMAGE='${DEMO_IMAGE}'
clear
bash -c 'echo $$ > velora.pid; exec "$@"' velora ${velora}
echo $? > exit_code
exec sleep 3600
`,
  );
}

interface Frame {
  ansi: string;
  done: number;
  total: number;
  running: number;
  /** How many different last steps the running instances show. */
  actions: number;
}

function frameOf(ansi: string): Frame {
  const text = stripAnsi(ansi);
  const counter = text.match(/\] (\d+)\/(\d+) \$/);
  const running = [...text.matchAll(/^ {2}> \S+ +step +\d+ +\S+ +(.*)$/gm)];
  return {
    ansi,
    done: Number(counter?.[1] ?? -1),
    total: Number(counter?.[2] ?? -1),
    running: running.length,
    actions: new Set(running.map((m) => m[1]!.trim())).size,
  };
}

/** A finished instance, the four workers busy, and them at different kinds of step. */
function score(frame: Frame): number {
  return (frame.done >= 1 ? 100 : 0) + Math.min(frame.running, 4) * 10 + frame.actions;
}
const GOOD = 100 + 4 * 10 + 3;

/**
 * Waits for the live view to show finished and running instances and returns that frame (or, if
 * infer ends first, the fullest frame seen).
 */
async function captureLiveView(dir: string): Promise<Frame> {
  let best: Frame | undefined;
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    const frame = frameOf(await tmux("capture-pane", "-p", "-e", "-t", SESSION));
    if (frame.total > 0 && (!best || score(frame) > score(best))) best = frame;
    if (score(frame) >= GOOD) return frame;
    const finished = frame.total > 0 && frame.done === frame.total;
    if (finished || await exists(join(dir, "exit_code"))) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!best) throw new Error("the live view never showed (is tmux's pane a terminal?)");
  log(`took the best frame seen: ${best.done}/${best.total} done, ${best.running} running`);
  return best;
}

async function waitForExit(dir: string): Promise<number> {
  const deadline = Date.now() + 20 * 60_000;
  while (Date.now() < deadline) {
    try {
      return Number((await Deno.readTextFile(join(dir, "exit_code"))).trim());
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  throw new Error("the run did not finish in 20 minutes");
}

async function findReport(dir: string): Promise<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isFile && entry.name === "report.html") return path;
    if (entry.isDirectory) {
      try {
        return await findReport(path);
      } catch { /* not in this folder */ }
    }
  }
  throw new Error(`no report.html under ${dir}`);
}

/** Counts, in the browser, the pixels of a PNG that are not near-white or near-black. */
const COUNT_INK = `async (b64) => {
  const image = new Image();
  image.src = "data:image/png;base64," + b64;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  const colours = new Set();
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i], g = data[i + 1], b = data[i + 2];
    if (r < 235 || g < 235 || b < 235) ink++;
    if (i % 64 === 0) colours.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
  }
  return { width: image.width, height: image.height, ink, colours: colours.size };
}`;

/** Fails unless a PNG is a picture 1280 wide, at least 860 high, with content (not one colour). */
async function checkPng(page: Page, file: string): Promise<number> {
  const png = await Deno.readFile(file);
  let binary = "";
  for (const byte of png) binary += String.fromCharCode(byte);
  const stats = await page.evaluate(`(${COUNT_INK})(${JSON.stringify(btoa(binary))})`) as {
    width: number;
    height: number;
    ink: number;
    colours: number;
  };
  const problems = [];
  if (png.length < 20_000) problems.push(`only ${png.length} bytes`);
  if (png.length > 300_000) problems.push(`${png.length} bytes (over 300 KB)`);
  if (stats.width !== 1280 || stats.height < 860) {
    problems.push(`${stats.width}×${stats.height}`);
  }
  if (stats.ink < 20_000) problems.push(`only ${stats.ink} non-white pixels`);
  if (stats.colours < 8) problems.push(`only ${stats.colours} colours`);
  if (problems.length) throw new Error(`${file} looks blank: ${problems.join(", ")}`);
  return png.length;
}

/** Fails unless the SVG parses as XML, with an `<svg>` root, in the browser. */
async function checkSvg(page: Page, svg: string): Promise<void> {
  const error = await page.evaluate(`(() => {
    const doc = new DOMParser().parseFromString(${JSON.stringify(svg)}, "image/svg+xml");
    const error = doc.querySelector("parsererror");
    return error ? error.textContent : doc.documentElement.nodeName === "svg" ? "" : "no <svg> root";
  })()`);
  if (error) throw new Error(`progress.svg is not well-formed: ${error}`);
}

async function screenshots(report: string, svg: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 860 },
      deviceScaleFactor: 1,
    });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`file://${report}`);
    await page.waitForSelector("body[data-ready=true]");
    await page.waitForLoadState("load");
    const reportPng = join(IMG, "report.png");
    await page.screenshot({ path: reportPng, type: "png", fullPage: true });

    await page.click("#table tbody tr >> nth=0 >> td:nth-child(2)");
    await page.waitForSelector("#viewer[data-instance] .step");
    await page.waitForTimeout(300);
    const trajectoryPng = join(IMG, "trajectory.png");
    await page.screenshot({ path: trajectoryPng, type: "png" });
    if (errors.length) throw new Error(`report.html had page errors: ${errors.join("; ")}`);

    const check = await browser.newPage();
    for (const file of [reportPng, trajectoryPng]) {
      log(`${file}: ${await checkPng(check, file)} bytes`);
    }
    await checkSvg(check, svg);
  } finally {
    await browser.close();
  }
}

async function leftContainers(pid: string): Promise<string[]> {
  const ids = await sh("docker", [
    "ps",
    "-a",
    "-q",
    "--filter",
    `label=velora.pid=${pid}`,
    "--filter",
    `label=velora.host=${Deno.hostname()}`,
  ]);
  return ids.split("\n").filter(Boolean);
}

async function main() {
  const keep = Deno.args.includes("--keep");
  log(`building ${DEMO_IMAGE}`);
  await ensureDemoImage();
  await Deno.mkdir(IMG, { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: "velora-pictures-" });
  let started = false;
  let pid = "";
  try {
    await writeRun(dir);
    log(`running the pipeline in ${dir} (tmux -L ${SOCKET})`);
    await tmux(
      "new-session",
      "-d",
      "-s",
      SESSION,
      "-x",
      String(COLUMNS),
      "-y",
      String(ROWS),
      "-c",
      dir,
      "bash run.sh",
    );
    started = true;
    const frame = await captureLiveView(dir);
    const [columns, rows] = (await tmux(
      "display-message",
      "-p",
      "-t",
      SESSION,
      "#{pane_width} #{pane_height}",
    )).trim().split(" ").map(Number);
    const svg = terminalSvg(frame.ansi, {
      columns: columns!,
      rows: rows!,
      title: "velora run: the live progress view of the infer phase",
    });
    await Deno.writeTextFile(join(IMG, "progress.svg"), svg);
    log(`progress.svg: ${frame.done}/${frame.total} done, ${frame.running} running`);

    const code = await waitForExit(dir);
    pid = (await Deno.readTextFile(join(dir, "velora.pid"))).trim();
    if (code !== 0) {
      const history = await tmux("capture-pane", "-p", "-S", "-", "-t", SESSION);
      throw new Error(`velora run exited ${code}:\n${stripAnsi(history)}`);
    }
    await screenshots(await findReport(join(dir, "run")), svg);
  } finally {
    if (started) {
      // kill-server leaves the socket file behind: remove it too.
      const socket = (await tmux("display-message", "-p", "#{socket_path}").catch(() => "")).trim();
      await tmux("kill-server").catch(() => {});
      if (socket) await Deno.remove(socket).catch(() => {});
    }
    if (!pid) {
      pid = await Deno.readTextFile(join(dir, "velora.pid")).then((s) => s.trim(), () => "");
    }
    if (keep) log(`kept ${dir}`);
    else await Deno.remove(dir, { recursive: true });
  }
  if (!pid) return;
  // velora removes its own containers; give a killed run's cleanup a moment, then check.
  let left = await leftContainers(pid);
  for (let i = 0; i < 10 && left.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    left = await leftContainers(pid);
  }
  if (left.length > 0) {
    await sh("docker", ["rm", "-f", ...left]);
    throw new Error(`velora left ${left.length} container(s) (label velora.pid=${pid}): removed`);
  }
  log("no containers left; done");
}

if (import.meta.main) await main();
