/**
 * Evaluates one instance in a fresh container from its image (network off, limits, velora
 * labels), driven by `docker exec` with the time limit enforced inside the container. Writes
 * `eval_outputs/<id>/{patch.diff, eval.sh, test_output.txt, run_instance.log, report.json}`.
 *
 * @module
 */
import { join } from "node:path";
import { type Instance, repoCandidates } from "../dataset/instance.ts";
import type { Docker } from "../docker/client.ts";
import {
  type Container,
  containerState,
  execIn,
  removeContainer,
  startContainer,
} from "../docker/containers.ts";
import { imageExists } from "../docker/images.ts";
import { veloraLabels } from "../docker/labels.ts";
import { putFiles } from "../docker/put_files.ts";
import { writeFileAtomic } from "../fs.ts";
import { defaultGoModule } from "./canonical.ts";
import { buildEvalScript, buildRunner, EVAL_DIR, filesOfDiff } from "./eval_script.ts";
import { engineFailure, infraFailure } from "./infra.ts";
import { decideMsb, type MsbFixOutcome, type MsbRow, type MsbVerdict } from "./mswebench_rule.ts";
import { parseWithCommand } from "./parsers/command.ts";
import { resolveParser } from "./parsers/mod.ts";
import { msbParser } from "./parsers/mswebench/mod.ts";
import type { Framework, ParsedTests } from "./parsers/types.ts";
import { instanceReport } from "./report.ts";
import { decide, type RunOutcome, type Verdict } from "./verdict.ts";

/** How evaluation runs. */
export interface EvalSettings {
  /** Seconds the tests may run. @default 600 */
  timeoutSeconds: number;
  /** `fuzz` allows `patch --fuzz=5` when `git apply` refuses. */
  patchFallback: "none" | "fuzz";
  /** `none` (default) or `host`. */
  network: "none" | "host";
  memoryBytes?: number;
  cpus?: number;
  /** A PASS_TO_PASS test reported SKIPPED still counts as kept. */
  skippedPassToPassOk: boolean;
}

/** One instance to evaluate. */
export interface EvalTask {
  instance: Instance;
  /** The model patch (null when the row has none). */
  patch: string | null;
  /** The image, or why the row names none. */
  image: string | { error: string };
  /** `eval_outputs/<id>`. */
  dir: string;
  runLabel: string;
  docker: Docker;
  /** False: run the tests on the base commit without the model patch (dataset validation). */
  applyModelPatch?: boolean;
}

const OUTPUT_FILE = `${EVAL_DIR}/test_output.txt`;

/** Evaluates a Velora/SWE-style instance (a row with `test_command`). */
export async function evaluateVelora(task: EvalTask, settings: EvalSettings): Promise<Verdict> {
  const { instance } = task;
  const log = await instanceLog(task.dir);
  const { outcome, framework } = await runVeloraTests(task, settings, log);
  const goModule = defaultGoModule(instance.repo);
  const verdict = decide({
    instanceId: instance.instance_id,
    failToPass: instance.FAIL_TO_PASS,
    passToPass: instance.PASS_TO_PASS,
    framework,
    ...(goModule ? { canonical: { goModule } } : {}),
    outcome,
    policy: { skippedPassToPassOk: settings.skippedPassToPassOk },
  });
  const report = instanceReport(verdict, { patch: task.patch, applied: applied(outcome) });
  await writeFileAtomic(join(task.dir, "report.json"), JSON.stringify(report, null, 2) + "\n");
  log(`verdict: ${verdict.category}: ${verdict.reason}`);
  return verdict;
}

/** One run of a Velora/SWE-style instance's tests, not yet judged. */
export interface VeloraRun {
  /** What happened; `ran` and `timeout` carry the parsed tests. */
  outcome: RunOutcome;
  /** The parser's framework (how the verdict canonicalises names). */
  framework: Framework;
}

/**
 * Runs a Velora/SWE-style instance's tests once in a fresh container (the model patch unless
 * `applyModelPatch` is false, then the test patch) and parses the log, without judging it:
 * {@linkcode evaluateVelora} judges the outcome, `velora derive` compares several. Writes
 * `patch.diff`, `eval.sh`, `test_output.txt` and `run_instance.log` in `task.dir`.
 */
export async function runVeloraTests(
  task: EvalTask,
  settings: EvalSettings,
  log?: (line: string) => void,
): Promise<VeloraRun> {
  const { instance } = task;
  log ??= await instanceLog(task.dir);
  await Deno.writeTextFile(join(task.dir, "patch.diff"), task.patch ?? "");
  const finish = (outcome: RunOutcome, framework: Framework = "plain"): VeloraRun => ({
    outcome,
    framework,
  });

  const withPatch = task.applyModelPatch !== false;
  const imageProblem = await missingImage(task);
  if (withPatch && (!task.patch || task.patch.trim() === "")) {
    return finish({ kind: "empty_patch" });
  }
  let parser: ReturnType<typeof resolveParser>;
  try {
    if (imageProblem) throw new Error(imageProblem);
    if (!instance.test_output_parser) throw new Error("the row has no test_output_parser");
    if (!instance.test_command) throw new Error("the row has no test_command");
    parser = resolveParser(instance.test_output_parser);
  } catch (error) {
    return finish({ kind: "harness_error", message: (error as Error).message });
  }
  const framework = parser.kind === "builtin" ? parser.entry.framework : "plain";
  const script = buildEvalScript({
    repoCandidates: instance.repo_path
      ? [instance.repo_path]
      : ["/app/repo", "/testbed", ...repoCandidates(instance).slice(0, 1), "/workspace/*"],
    baseCommit: instance.base_commit,
    testPatchFiles: instance.test_patch.map(filesOfDiff),
    testCommand: instance.test_command!,
    patchFallback: settings.patchFallback,
    applyModelPatch: withPatch,
  });
  await Deno.writeTextFile(join(task.dir, "eval.sh"), script);

  const run = await runInContainer(task, settings, log, [
    { path: `${EVAL_DIR}/model.patch`, content: ensureNewline(task.patch ?? "") },
    ...instance.test_patch.map((p, i) => ({
      path: `${EVAL_DIR}/test_${i}.patch`,
      content: ensureNewline(p),
    })),
    { path: `${EVAL_DIR}/eval.sh`, content: script, mode: 0o755 },
  ], `bash ${EVAL_DIR}/eval.sh`);
  if ("infra" in run) {
    await Deno.remove(join(task.dir, "test_output.txt")).catch(() => {});
    return finish({ kind: "infra_error", message: run.infra }, framework);
  }
  const output = run.output;
  await Deno.writeTextFile(join(task.dir, "test_output.txt"), output);

  const harnessError = output.match(/^VELORA_EVAL_ERROR: (.*)$/m)?.[1];
  if (harnessError) {
    return finish({ kind: "harness_error", message: harnessError }, framework);
  }
  if (/^VELORA_PATCH_FAILED$/m.test(output)) {
    const detail = output.split("\n").filter((l) => /^error:|^(error|warning): patch/.test(l))
      .slice(0, 3).join("; ");
    return finish(
      { kind: "patch_failed", detail: detail || "git apply refused the patch" },
      framework,
    );
  }
  if (/^VELORA_PATCH_APPLIED: fuzz$/m.test(output)) {
    log("the model patch applied only with patch --fuzz=5");
  }
  const testLog = between(output, ">>>>> Start Test Output", ">>>>> End Test Output");
  let tests: ParsedTests;
  try {
    tests = parser.kind === "builtin"
      ? parser.entry.parse(testLog)
      : await parseWithCommand(parser.command, testLog, runHostCommand);
  } catch (error) {
    return finish({ kind: "harness_error", message: (error as Error).message }, framework);
  }
  if (run.timedOut) {
    log(`the tests passed the ${settings.timeoutSeconds}s limit and were killed; ${run.leftover}`);
    return finish({ kind: "timeout", seconds: settings.timeoutSeconds, tests }, framework);
  }
  const exit = output.match(/^VELORA_TEST_EXIT: (\d+)$/m)?.[1];
  return finish(
    { kind: "ran", exitCode: exit === undefined ? null : Number(exit), tests },
    framework,
  );
}

/** The row fields the Multi-SWE-bench rule needs. */
export function msbRowOf(instance: Instance): MsbRow {
  return instance.row as unknown as MsbRow;
}

/**
 * Whether a row is evaluated the Multi-SWE-bench way (a Multi-SWE-bench row without a
 * `test_command`); `run_evaluation.ts`, `validate.ts` and `velora derive` decide alike.
 */
export function usesMsbRule(instance: Instance): boolean {
  return instance.format === "multi_swe_bench" && !instance.test_command;
}

/** The stages of a Multi-SWE-bench image: its scripts in `/home`. */
export type MsbStage = "run" | "test" | "fix";

const STAGE_SCRIPT: Record<MsbStage, string> = {
  run: "/home/run.sh",
  test: "/home/test-run.sh",
  fix: "/home/fix-run.sh",
};

/**
 * Evaluates a Multi-SWE-bench instance the reference way: the patch at `/home/fix.patch`, then
 * `bash /home/fix-run.sh`, the log parsed by the repository's parser family and compared with
 * the row's stored `run_result` / `test_patch_result`. `stage: "test"` judges `test-run.sh`
 * instead (the test patch only: what `velora validate` checks does not resolve).
 */
export async function evaluateMsb(
  task: EvalTask,
  settings: EvalSettings,
  stage: "fix" | "test" = "fix",
): Promise<MsbVerdict> {
  const log = await instanceLog(task.dir);
  const verdict = decideMsb(msbRowOf(task.instance), await runMsbStage(task, settings, stage, log));
  const body = verdict.report ??
    {
      id: verdict.id,
      outcome: verdict.outcome,
      reason: verdict.reason,
      ...(verdict.infra ? { infra: true } : {}),
    };
  await writeFileAtomic(join(task.dir, "report.json"), JSON.stringify(body, null, 2) + "\n");
  log(`verdict: ${verdict.outcome}: ${verdict.reason}`);
  return verdict;
}

/**
 * Runs one stage script of a Multi-SWE-bench image (`fix`: with `task.patch` at
 * `/home/fix.patch`; `test`: `test-run.sh`, the test patch only; `run`: `run.sh`, no patch) in a
 * fresh container and parses its log with the repository's parser, without judging it. Writes
 * `patch.diff`, `test_output.txt` and `run_instance.log` in `task.dir`. A time limit, a parser
 * failure or a missing image is `error`; a failed container or engine is `infra_error`.
 */
export async function runMsbStage(
  task: EvalTask,
  settings: EvalSettings,
  stage: MsbStage,
  log?: (line: string) => void,
): Promise<MsbFixOutcome> {
  log ??= await instanceLog(task.dir);
  const row = msbRowOf(task.instance);
  await Deno.writeTextFile(join(task.dir, "patch.diff"), stage === "fix" ? task.patch ?? "" : "");
  const imageProblem = await missingImage(task);
  let parse: (log: string) => ParsedTests;
  try {
    if (imageProblem) throw new Error(imageProblem);
    parse = msbParser(row.org, row.repo, row.number).parse;
  } catch (error) {
    return { kind: "error", message: (error as Error).message };
  }
  const files = stage === "fix"
    ? [{ path: "/home/fix.patch", content: ensureNewline(task.patch ?? "") }]
    : [];
  const script = STAGE_SCRIPT[stage];
  const run = await runInContainer(task, settings, log, files, `bash ${script}`);
  if ("infra" in run) {
    await Deno.remove(join(task.dir, "test_output.txt")).catch(() => {});
    return { kind: "infra_error", message: run.infra };
  }
  await Deno.writeTextFile(join(task.dir, "test_output.txt"), run.output);
  if (run.timedOut) {
    const name = script.slice("/home/".length);
    return { kind: "error", message: `${name} passed the ${settings.timeoutSeconds}s limit` };
  }
  try {
    return { kind: "parsed", tests: parse(run.output) };
  } catch (error) {
    return { kind: "error", message: (error as Error).message };
  }
}

/** Why the task's image cannot be used, or undefined when it is loaded. */
async function missingImage(task: EvalTask): Promise<string | undefined> {
  if (typeof task.image !== "string") return task.image.error;
  if (await imageExists(task.docker, task.image)) return undefined;
  return `image "${task.image}" is not loaded (velora images load, or a load-images phase)`;
}

interface ContainerRun {
  output: string;
  timedOut: boolean;
  /** What was left running after a timeout (should be nothing). */
  leftover: string;
}

/**
 * Starts the container, writes the files, runs `command` under the time limit, removes it.
 * `infra`: the container or the engine failed (`infra.ts`), so the output cannot be judged.
 */
async function runInContainer(
  task: EvalTask,
  settings: EvalSettings,
  log: (line: string) => void,
  files: { path: string; content: string; mode?: number }[],
  command: string,
): Promise<ContainerRun | { infra: string }> {
  let container: Container | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    log(`starting a container from ${task.image} (network ${settings.network})`);
    container = await startContainer(task.docker, {
      image: task.image as string,
      name: `velora-eval-${crypto.randomUUID().slice(0, 12)}`,
      labels: veloraLabels({
        run: task.runLabel,
        instance: task.instance.instance_id,
        phase: "evaluate",
      }),
      entrypoint: ["sleep"],
      cmd: ["infinity"],
      network: settings.network,
      init: true,
      user: "0:0",
      ...(settings.memoryBytes ? { memoryBytes: settings.memoryBytes } : {}),
      ...(settings.cpus ? { cpus: settings.cpus } : {}),
    });
    const runner = `${EVAL_DIR}/run.sh`;
    await putFiles(container, [
      ...files,
      { path: `${EVAL_DIR}/command.sh`, content: `#!/bin/bash\n${command}\n`, mode: 0o755 },
      {
        path: runner,
        content: buildRunner(`${EVAL_DIR}/command.sh`, OUTPUT_FILE, settings.timeoutSeconds),
        mode: 0o755,
      },
    ]);
    const started = performance.now();
    // The limit is enforced inside the container; this outer guard only covers a stuck engine.
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("docker exec did not return")),
        (settings.timeoutSeconds + 120) * 1000,
      );
    });
    const tests = await Promise.race([execIn(container, ["bash", runner]), guard]);
    const read = await execIn(container, ["cat", OUTPUT_FILE]);
    // After the read: a killed container can look running for a moment after its processes died.
    const infra = infraFailure({
      tests: { exitCode: tests.exitCode, output: tests.stdout + tests.stderr },
      read: { exitCode: read.exitCode, output: read.stdout + read.stderr },
      state: await containerState(container),
    });
    if (infra) {
      log(`infrastructure failure: ${infra}`);
      return { infra };
    }
    const output = read.stdout;
    const timedOut = /^VELORA_TIMEOUT$/m.test(output);
    log(
      `ran in ${((performance.now() - started) / 1000).toFixed(1)}s${
        timedOut ? " (time limit)" : ""
      }`,
    );
    const leftover = timedOut ? await leftoverProcesses(container) : "";
    return { output, timedOut, leftover };
  } catch (error) {
    const state = container ? await containerState(container).catch(() => undefined) : undefined;
    const infra = engineFailure(error, state);
    log(`infrastructure failure: ${infra}`);
    return { infra };
  } finally {
    clearTimeout(timer);
    if (container) await removeContainer(container).catch(() => {});
  }
}

/** Describes processes other than the container's init and its `sleep` (none is the goal). */
async function leftoverProcesses(container: Container): Promise<string> {
  const listing = await execIn(container, [
    "bash",
    "-c",
    'for d in /proc/[0-9]*; do p=${d#/proc/}; [ "$p" = "$$" ] && continue; ' +
    'echo "$p $(tr "\\0" " " < $d/cmdline 2>/dev/null)"; done',
  ]);
  const others = listing.stdout.split("\n").map((l) => l.trim()).filter((line) => {
    const [pid, ...cmd] = line.split(" ");
    const text = cmd.join(" ").trim();
    return line && pid !== "1" && text !== "sleep infinity" && text !== "" &&
      !text.startsWith("tr ");
  });
  return others.length === 0 ? "no process left" : `processes left: ${others.join(", ")}`;
}

async function runHostCommand(command: string, stdin: string) {
  const child = new Deno.Command("bash", {
    args: ["-c", command],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

async function instanceLog(dir: string): Promise<(line: string) => void> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, "run_instance.log");
  await Deno.writeTextFile(path, "");
  return (line) =>
    Deno.writeTextFileSync(path, `${new Date().toISOString()} - INFO - ${line}\n`, {
      append: true,
    });
}

function applied(outcome: RunOutcome): boolean {
  return outcome.kind === "ran" || outcome.kind === "timeout";
}

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  if (from === -1) return "";
  const to = text.indexOf(end, from);
  return text.slice(from + start.length, to === -1 ? undefined : to);
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
