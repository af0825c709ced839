/**
 * Evaluates one instance in a fresh container from its image (network off, limits, velora
 * labels), driven by exec with the time limit enforced inside the container. Writes
 * `eval_outputs/<id>/{patch.diff, eval.sh, test_output.txt, run_instance.log, report.json}`
 * (and `parser.sh` for a command parser run in the container).
 *
 * A row's `cmd:` parser is data from the dataset, not code velora trusts: it runs inside the
 * evaluation container after the tests (no bind mounts; the network of the tests), with the test
 * log on stdin. Only {@linkcode EvalSettings.trustRowParsers} runs it on the host.
 *
 * @module
 */
import { join } from "node:path";
import { type Instance, repoCandidates } from "../dataset/instance.ts";
import type { Box, SandboxBackend } from "../runtime/backend.ts";
import { DiskError } from "../errors.ts";
import { makeDir, onDiskSync, writeFileAtomic, writeTextFile } from "../fs.ts";
import { redact } from "../redact.ts";
import type { NetworkMode } from "../runtime/network.ts";
import { defaultGoModule } from "./canonical.ts";
import {
  buildEvalScript,
  buildParserScript,
  buildRunner,
  EVAL_DIR,
  filesOfDiff,
} from "./eval_script.ts";
import { engineFailure, infraFailure } from "./infra.ts";
import { decideMsb, type MsbFixOutcome, type MsbRow, type MsbVerdict } from "./mswebench_rule.ts";
import { commandAnswer, type CommandResult, parseWithCommand } from "./parsers/command.ts";
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
  /** `none` (the phase's default), `bridge` or `host`. */
  network: NetworkMode;
  /** Memory limit, bytes (0: none). @default gigabytes(DEFAULT_MEMORY_GB) */
  memoryBytes?: number;
  cpus?: number;
  /** Process limit (0: none). @default DEFAULT_PIDS_LIMIT */
  pidsLimit?: number;
  /** A PASS_TO_PASS test reported SKIPPED still counts as kept. */
  skippedPassToPassOk: boolean;
  /**
   * Run rows' `cmd:` parsers on the host, where velora runs (`trust_row_parsers`,
   * `--trust-row-parsers`). Default: inside the evaluation container.
   */
  trustRowParsers?: boolean;
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
  /** Where the container runs. */
  backend: SandboxBackend;
  /** False: run the tests on the base commit without the model patch (dataset validation). */
  applyModelPatch?: boolean;
}

const OUTPUT_FILE = `${EVAL_DIR}/test_output.txt`;
const PARSER_INPUT = `${EVAL_DIR}/parser_input.txt`;
const PARSER_SCRIPT = `${EVAL_DIR}/parser.sh`;
/** Seconds a command parser may run in the container. */
const PARSER_TIMEOUT_SECONDS = 300;

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
  await writeFileAtomic(
    join(task.dir, "report.json"),
    redact(JSON.stringify(report, null, 2)) + "\n",
  );
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
  await writeTextFile(join(task.dir, "patch.diff"), task.patch ?? "");
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
  const repos = instance.repo_path
    ? [instance.repo_path]
    : ["/app/repo", "/testbed", ...repoCandidates(instance).slice(0, 1), "/workspace/*"];
  const script = buildEvalScript({
    repoCandidates: repos,
    baseCommit: instance.base_commit,
    testPatchFiles: instance.test_patch.map(filesOfDiff),
    testCommand: instance.test_command!,
    patchFallback: settings.patchFallback,
    applyModelPatch: withPatch,
  });
  await writeTextFile(join(task.dir, "eval.sh"), script);

  // A row's command parser runs in the container, after the tests, unless row parsers are trusted.
  const inContainer = parser.kind === "command" && !settings.trustRowParsers
    ? parser.command
    : undefined;
  let parsedThere: ParsedTests | Error | undefined;
  const parseThere = inContainer === undefined ? undefined : async (box: Box, output: string) => {
    if (setupFailed(output)) return;
    const parserScript = buildParserScript(repos, inContainer);
    await writeTextFile(join(task.dir, "parser.sh"), parserScript);
    log("running the row's parser command in the evaluation container");
    const result = await runParserInContainer(box, parserScript, testLogOf(output));
    try {
      parsedThere = commandAnswer(inContainer, result);
    } catch (error) {
      parsedThere = error as Error;
    }
  };

  const run = await runInContainer(
    task,
    settings,
    log,
    [
      { path: `${EVAL_DIR}/model.patch`, content: ensureNewline(task.patch ?? "") },
      ...instance.test_patch.map((p, i) => ({
        path: `${EVAL_DIR}/test_${i}.patch`,
        content: ensureNewline(p),
      })),
      { path: `${EVAL_DIR}/eval.sh`, content: script, mode: 0o755 },
    ],
    `bash ${EVAL_DIR}/eval.sh`,
    parseThere,
  );
  if ("infra" in run) {
    await Deno.remove(join(task.dir, "test_output.txt")).catch(() => {});
    return finish({ kind: "infra_error", message: run.infra }, framework);
  }
  const output = run.output;
  await writeTextFile(join(task.dir, "test_output.txt"), redact(output));

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
  const testLog = testLogOf(output);
  let tests: ParsedTests;
  try {
    if (parser.kind === "builtin") {
      tests = parser.entry.parse(testLog);
    } else if (inContainer !== undefined) {
      if (parsedThere === undefined) throw new Error("the parser command did not run");
      if (parsedThere instanceof Error) throw parsedThere;
      tests = parsedThere;
    } else {
      log("running the row's parser command on the host (row parsers are trusted)");
      tests = await parseWithCommand(parser.command, testLog, runHostCommand);
    }
  } catch (error) {
    return finish(
      { kind: "harness_error", message: redact((error as Error).message) },
      framework,
    );
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
  await writeFileAtomic(
    join(task.dir, "report.json"),
    redact(JSON.stringify(body, null, 2)) + "\n",
  );
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
  await writeTextFile(join(task.dir, "patch.diff"), stage === "fix" ? task.patch ?? "" : "");
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
  await writeTextFile(join(task.dir, "test_output.txt"), redact(run.output));
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
  if (await task.backend.imageExists(task.image)) return undefined;
  return task.backend.missingImage(task.image);
}

interface ContainerRun {
  output: string;
  timedOut: boolean;
  /** What was left running after a timeout (should be nothing). */
  leftover: string;
}

/**
 * Starts the container, writes the files, runs `command` under the time limit, then `after` (in
 * the same container), removes it. `infra`: the container or the engine failed (`infra.ts`), so
 * the output cannot be judged.
 */
async function runInContainer(
  task: EvalTask,
  settings: EvalSettings,
  log: (line: string) => void,
  files: { path: string; content: string; mode?: number }[],
  command: string,
  after?: (box: Box, output: string) => Promise<void>,
): Promise<ContainerRun | { infra: string }> {
  let box: Box | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    log(`starting a container from ${task.image} (network ${settings.network})`);
    box = await task.backend.startBox({
      image: task.image as string,
      purpose: { run: task.runLabel, instance: task.instance.instance_id, phase: "evaluate" },
      network: settings.network,
      ...(settings.memoryBytes === undefined ? {} : { memoryBytes: settings.memoryBytes }),
      ...(settings.pidsLimit === undefined ? {} : { pidsLimit: settings.pidsLimit }),
      ...(settings.cpus ? { cpus: settings.cpus } : {}),
    });
    const runner = `${EVAL_DIR}/run.sh`;
    await box.putFiles([
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
    const tests = await Promise.race([box.exec(["bash", runner]), guard]);
    const read = await box.exec(["cat", OUTPUT_FILE]);
    // After the read: a killed container can look running for a moment after its processes died.
    const infra = infraFailure({
      tests: { exitCode: tests.exitCode, output: tests.stdout + tests.stderr },
      read: { exitCode: read.exitCode, output: read.stdout + read.stderr },
      state: await box.state(),
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
    const leftover = timedOut ? await leftoverProcesses(box) : "";
    await after?.(box, output);
    return { output, timedOut, leftover };
  } catch (error) {
    if (error instanceof DiskError) throw error; // velora's own files: the run stops
    const state = box ? await box.state().catch(() => undefined) : undefined;
    const infra = engineFailure(error, state);
    log(`infrastructure failure: ${infra}`);
    return { infra };
  } finally {
    clearTimeout(timer);
    if (box) await box.remove().catch(() => {});
  }
}

/** Describes processes other than the container's init and its `sleep` (none is the goal). */
async function leftoverProcesses(box: Box): Promise<string> {
  const listing = await box.exec([
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

/**
 * Runs a parser script in the evaluation container with the test log on stdin, under a time limit
 * (`timeout` where the image has it). Throws only when the engine fails (an infrastructure error).
 */
async function runParserInContainer(
  box: Box,
  script: string,
  testLog: string,
): Promise<CommandResult> {
  await box.putFiles([
    { path: PARSER_INPUT, content: testLog },
    { path: PARSER_SCRIPT, content: script, mode: 0o755 },
  ]);
  const limit = PARSER_TIMEOUT_SECONDS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("docker exec did not return")), (limit + 60) * 1000);
  });
  try {
    const result = await Promise.race([
      box.exec([
        "bash",
        "-c",
        `if command -v timeout >/dev/null 2>&1; then exec timeout -k 5 ${limit} bash ${PARSER_SCRIPT}; ` +
        `else exec bash ${PARSER_SCRIPT}; fi < ${PARSER_INPUT}`,
      ]),
      guard,
    ]);
    return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a trusted parser command on the host, from where velora runs. */
async function runHostCommand(command: string, stdin: string): Promise<CommandResult> {
  const child = new Deno.Command("bash", {
    args: ["-c", command],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  } catch {
    // the command exited without reading all of its input
  }
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

async function instanceLog(dir: string): Promise<(line: string) => void> {
  await makeDir(dir);
  const path = join(dir, "run_instance.log");
  await writeTextFile(path, "");
  return (line) =>
    onDiskSync(
      path,
      () =>
        Deno.writeTextFileSync(path, `${new Date().toISOString()} - INFO - ${redact(line)}\n`, {
          append: true,
        }),
    );
}

function applied(outcome: RunOutcome): boolean {
  return outcome.kind === "ran" || outcome.kind === "timeout";
}

/** Whether eval.sh stopped before the tests (no log to parse). */
function setupFailed(output: string): boolean {
  return /^VELORA_EVAL_ERROR: /m.test(output) || /^VELORA_PATCH_FAILED$/m.test(output);
}

function testLogOf(output: string): string {
  return between(output, ">>>>> Start Test Output", ">>>>> End Test Output");
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
