/**
 * A big `output.jsonl` for the memory tests and the resume benchmark: `rows` finished rows of
 * about `rowKb` KB each (most of it one long observation in `history`), 2 % of them with an
 * infrastructure error, written in large blocks so it takes seconds; and the scenarios
 * (`_big_scenario.ts`) run on it in a child process that reports its peak RSS (VmHWM).
 *
 * @module
 */
import { join } from "node:path";
import { patchSha256 } from "../../src/output/row_index.ts";

const SCENARIO = new URL("./_big_scenario.ts", import.meta.url).pathname;
const LOCK = new URL("../deno.lock", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/**
 * A temp dir for the big output: in /dev/shm (memory, so the test does not wait on a slow shared
 * disk) when there is one with room, else the system's temp dir. Remove it after.
 */
export async function bigTempDir(): Promise<string> {
  try {
    const info = await Deno.stat("/dev/shm");
    if (info.isDirectory) {
      const dir = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "velora-big-output-" });
      const df = await new Deno.Command("df", { args: ["-Pk", dir], stdout: "piped" }).output();
      const free = Number(
        new TextDecoder().decode(df.stdout).trim().split("\n")[1]?.split(/\s+/)[3],
      );
      if (free * 1024 > 2e9) return dir;
      await Deno.remove(dir, { recursive: true });
    }
  } catch {
    // no /dev/shm (or no df): the temp dir
  }
  return await Deno.makeTempDir({ prefix: "velora-big-output-" });
}

/** The id of row `i`. */
export function bigId(i: number): string {
  return `org__repo-${10000 + i}`;
}

/** The patch of row `i`. */
export function bigPatch(i: number): string {
  return `diff --git a/src/app.py b/src/app.py\n--- a/src/app.py\n+++ b/src/app.py\n` +
    `@@ -1 +1 @@\n-x = ${i}\n+x = ${i + 1}\n`;
}

/** Whether row `i` has an infrastructure error. */
export function bigErrored(i: number): boolean {
  return i % 50 === 7;
}

/** Writes `<dir>/output.jsonl` and returns its path and size. */
export async function writeBigOutput(
  dir: string,
  rows = 10_000,
  rowKb = 50,
): Promise<{ path: string; bytes: number }> {
  const path = join(dir, "output.jsonl");
  const words = ["def", "return", "self", "import", "test_", "assert", "value", "\n", "\t", '"q"'];
  let observation = "";
  for (let i = 0; observation.length < rowKb * 1000; i++) {
    observation += words[(i * 7 + (i >> 3)) % words.length] + " ";
  }
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let pending: string[] = [];
  let pendingChars = 0;
  let bytes = 0;
  const flush = async () => {
    const data = encoder.encode(pending.join(""));
    for (let at = 0; at < data.length;) at += await file.write(data.subarray(at));
    bytes += data.length;
    pending = [];
    pendingChars = 0;
  };
  try {
    for (let i = 0; i < rows; i++) {
      const row = {
        instance_id: bigId(i),
        test_result: { git_patch: bigPatch(i) },
        instruction: "Fix the bug in src/app.py.",
        metadata: { agent_class: "CodeActAgent", model_name: "fake/model", max_iterations: 50 },
        history: [
          { id: 0, source: "user", action: "message", args: { content: "Fix it." } },
          {
            id: 1,
            source: "environment",
            observation: "run",
            content: observation,
            extras: { command: "pytest -q", metadata: { exit_code: 1 } },
          },
        ],
        metrics: { accumulated_cost: 0.01 },
        error: bigErrored(i) ? "AgentRuntimeError: the sandbox stopped answering" : null,
        instance: { instance_id: bigId(i), repo: "org/repo" },
      };
      const line = JSON.stringify(row) + "\n";
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars > 8 << 20) await flush();
    }
    await flush();
  } finally {
    file.close();
  }
  return { path, bytes };
}

/** A minimal velora verdict (what the evaluate phase stores) of row `i`. */
export function bigVerdict(i: number) {
  const resolved = i % 3 === 0;
  const graded = { success: [], failure: [] };
  return {
    patch_sha256: patchSha256(bigPatch(i)),
    mode: "velora",
    verdict: {
      instanceId: bigId(i),
      category: resolved ? "resolved" : "unresolved",
      resolved,
      reason: resolved ? "all tests passed" : "FAIL_TO_PASS t.py::test_x: FAILED",
      tests: {
        FAIL_TO_PASS: graded,
        PASS_TO_PASS: graded,
        FAIL_TO_FAIL: graded,
        PASS_TO_FAIL: graded,
      },
      details: { FAIL_TO_PASS: [], PASS_TO_PASS: [] },
      counts: { PASSED: 1, FAILED: 0, SKIPPED: 0, ERROR: 0, XFAIL: 0 },
      parsedTests: 1,
    },
  };
}

/** Writes `eval_outputs/<id>/velora_eval.json` for every row, as an earlier evaluation would. */
export async function writeBigVerdicts(dir: string, rows = 10_000): Promise<void> {
  for (let i = 0; i < rows; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, rows - i) }, async (_, k) => {
        const at = join(dir, "eval_outputs", bigId(i + k));
        await Deno.mkdir(at, { recursive: true });
        await Deno.writeTextFile(join(at, "velora_eval.json"), JSON.stringify(bigVerdict(i + k)));
      }),
    );
  }
}

/** What a scenario reports. */
export interface ScenarioResult {
  /** Peak resident memory of the child process, MB (VmHWM). */
  peakMb: number;
  /** Wall time of the scenario itself (after the modules loaded), seconds. */
  seconds: number;
  /** Scenario-specific facts. */
  [key: string]: unknown;
}

/** Runs a scenario of `_big_scenario.ts` on `dir` in a child process. */
export async function runScenario(scenario: string, dir: string): Promise<ScenarioResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "--frozen",
      `--config=${CONFIG}`,
      `--lock=${LOCK}`,
      SCENARIO,
      scenario,
      dir,
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`scenario ${scenario} failed (${out.code}):\n${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}
