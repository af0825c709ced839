/**
 * Derives one task's test lists by running its tests through the evaluate phase's harness
 * (`runVeloraTests`: a fresh container per run, the same eval.sh and parsers): `runs` times on
 * the base commit with the test patch, then `runs` times with the gold patch as well, and
 * comparing (`compare.ts`). A run that cannot judge (the test patch or gold patch does not apply,
 * the time limit, a harness error, no test parsed after the fix) makes the task unusable with
 * that reason; the remaining runs are not started.
 *
 * @module
 */
import { join } from "node:path";
import type { Instance } from "../dataset/instance.ts";
import type { SandboxBackend } from "../runtime/backend.ts";
import { type EvalSettings, runVeloraTests, type VeloraRun } from "../evaluate/harness.ts";
import type { ParsedTests } from "../evaluate/parsers/types.ts";
import { deriveTestLists } from "./compare.ts";

/** What deriving one task needs. */
export interface DeriveTask {
  instance: Instance;
  /** The image, or why there is none. */
  image: string | { error: string };
  /** Run logs go to `<dir>/before-<k>` and `<dir>/after-<k>`. */
  dir: string;
  /** Identical runs per side (≥ 1). */
  runs: number;
  runLabel: string;
  backend: SandboxBackend;
  settings: EvalSettings;
  /** Called as each test run starts (`before 1/2`), for progress. */
  onRun?(run: string): void;
}

/** The outcome for one task. */
export interface DerivedTask {
  failToPass: string[];
  passToPass: string[];
  flaky: string[];
  passToFail: string[];
  /** Why the task is unusable, or undefined. */
  unusable?: string;
  /** Container runs done. */
  runsDone: number;
}

/** Runs and compares. */
export async function deriveTask(task: DeriveTask): Promise<DerivedTask> {
  const empty = { failToPass: [], passToPass: [], flaky: [], passToFail: [] };
  const { instance } = task;
  if (typeof task.image !== "string") return { ...empty, unusable: task.image.error, runsDone: 0 };
  if (!instance.test_command) {
    return { ...empty, unusable: "the row has no test_command", runsDone: 0 };
  }
  if (!instance.test_output_parser) {
    return { ...empty, unusable: "the row has no test_output_parser", runsDone: 0 };
  }
  if (instance.test_patch.length === 0) {
    return { ...empty, unusable: "the row has no test_patch", runsDone: 0 };
  }
  if (instance.patch.trim() === "") {
    return { ...empty, unusable: "the row has no gold patch", runsDone: 0 };
  }

  const sides = { before: [] as ParsedTests[], after: [] as ParsedTests[] };
  let runsDone = 0;
  for (const side of ["before", "after"] as const) {
    for (let k = 1; k <= task.runs; k++) {
      task.onRun?.(`${side} ${k}/${task.runs}`);
      const run = await runVeloraTests({
        instance,
        image: task.image,
        patch: side === "after" ? instance.patch : "",
        applyModelPatch: side === "after",
        dir: join(task.dir, `${side}-${k}`),
        runLabel: task.runLabel,
        backend: task.backend,
      }, task.settings);
      runsDone++;
      const tests = testsOf(run, side);
      if (typeof tests === "string") return { ...empty, unusable: tests, runsDone };
      sides[side].push(tests);
    }
  }
  return { ...deriveTestLists(sides.before, sides.after), runsDone };
}

/** The parsed tests of a run, or why the run cannot be used. */
function testsOf({ outcome }: VeloraRun, side: "before" | "after"): ParsedTests | string {
  const when = side === "before" ? "with the test patch only" : "with the gold patch";
  switch (outcome.kind) {
    case "ran":
      if (side === "after" && outcome.tests.size === 0) {
        return `no test was parsed ${when} (exit code ${outcome.exitCode ?? "unknown"})`;
      }
      return outcome.tests;
    case "timeout":
      return `the tests passed the ${outcome.seconds ?? "?"} s limit ${when}`;
    case "patch_failed":
      return `the gold patch does not apply: ${outcome.detail}`;
    case "empty_patch":
      return "the row has no gold patch";
    case "harness_error":
    case "infra_error":
      return `${when}: ${outcome.message}`;
  }
}
