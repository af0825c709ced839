/**
 * Derives a Multi-SWE-bench row the reference way: its image's three stage scripts run in fresh
 * containers (`runMsbStage`), `runs` times each — `run.sh` (no patch), `test-run.sh` (the test
 * patch), `fix-run.sh` (the test patch and the row's gold `fix_patch` at `/home/fix.patch`) — and
 * each log is parsed by the repository's parser family. The three results become the row's
 * `run_result`, `test_patch_result` and `fix_patch_result`, and the reference's `Report.check()`
 * (`decideMsb`) sorts the tests into `fixed_tests` / `p2p_tests` / `f2p_tests` / `s2p_tests` /
 * `n2p_tests`, which is how the reference builds its dataset rows.
 *
 * A test whose status (PASS, FAIL, SKIP or absent) differs between two runs of one stage is flaky:
 * it is left out of every stage's result, so it is in no group. The row is unusable when a stage
 * cannot be judged (a parser error, the time limit, a missing image) or the report is not valid
 * (nothing goes from not passing to passing, a test the test patch passed fails with the fix, …).
 *
 * @module
 */
import { join } from "node:path";
import { type MsbStage, runMsbStage } from "../evaluate/harness.ts";
import {
  decideMsb,
  type MsbReport,
  type MsbRow,
  type MsbStatus,
  type MsbTestResult,
  testResultFromParsed,
} from "../evaluate/mswebench_rule.ts";
import type { ParsedTests } from "../evaluate/parsers/types.ts";
import type { DerivedTask, DeriveTask } from "./derive_task.ts";

/** The fields a derived Multi-SWE-bench row gets. */
export type DerivedMsbFields = Pick<
  MsbReport,
  | "run_result"
  | "test_patch_result"
  | "fix_patch_result"
  | "fixed_tests"
  | "p2p_tests"
  | "f2p_tests"
  | "s2p_tests"
  | "n2p_tests"
>;

/** A derived Multi-SWE-bench task: the lists as for any row, and the row's new fields. */
export interface DerivedMsbTask extends DerivedTask {
  /** Present when the row is usable. */
  fields?: DerivedMsbFields;
}

const STAGES: readonly { stage: MsbStage; script: string }[] = [
  { stage: "run", script: "run.sh" },
  { stage: "test", script: "test-run.sh" },
  { stage: "fix", script: "fix-run.sh" },
];

/** Runs the stages and classifies the tests. */
export async function deriveMsbTask(task: DeriveTask): Promise<DerivedMsbTask> {
  const empty = { failToPass: [], passToPass: [], flaky: [], passToFail: [] };
  const { instance } = task;
  if (typeof task.image !== "string") return { ...empty, unusable: task.image.error, runsDone: 0 };
  if (instance.patch.trim() === "") {
    return { ...empty, unusable: "the row has no gold patch (fix_patch)", runsDone: 0 };
  }
  const row = instance.row as unknown as MsbRow;
  const runs: Record<MsbStage, Map<string, MsbStatus>[]> = { run: [], test: [], fix: [] };
  let runsDone = 0;
  for (const { stage, script } of STAGES) {
    for (let k = 1; k <= task.runs; k++) {
      const outcome = await runMsbStage(
        {
          instance,
          image: task.image,
          patch: stage === "fix" ? instance.patch : "",
          dir: join(task.dir, `${stage}-${k}`),
          runLabel: task.runLabel,
          backend: task.backend,
        },
        task.settings,
        stage,
      );
      runsDone++;
      if (outcome.kind !== "parsed") {
        return { ...empty, unusable: `${script}: ${outcome.message}`, runsDone };
      }
      runs[stage].push(statuses(testResultFromParsed(outcome.tests)));
    }
  }

  return { ...msbFromRuns(row, runs), runsDone };
}

/**
 * The pure part: each stage's runs (as `TestResult` statuses) → the row's results and groups,
 * flaky tests left out. `runsDone` is the caller's.
 */
export function msbFromRuns(
  row: Pick<MsbRow, "org" | "repo" | "number">,
  runs: Record<MsbStage, Map<string, MsbStatus>[]>,
): Omit<DerivedMsbTask, "runsDone"> {
  const flaky = new Set<string>();
  for (const stage of ["run", "test", "fix"] as const) {
    const names = new Set(runs[stage].flatMap((r) => [...r.keys()]));
    for (const name of names) {
      const first = runs[stage][0]!.get(name) ?? "NONE";
      if (runs[stage].some((r) => (r.get(name) ?? "NONE") !== first)) flaky.add(name);
    }
  }
  const stable = (stage: MsbStage) =>
    new Map([...runs[stage][0]!].filter(([name]) => !flaky.has(name)));
  const [run, test, fix] = [stable("run"), stable("test"), stable("fix")];
  const fixParsed: ParsedTests = new Map(
    [...fix].map((
      [name, s],
    ) => [name, s === "PASS" ? "PASSED" : s === "FAIL" ? "FAILED" : "SKIPPED"]),
  );
  const verdict = decideMsb(
    {
      org: row.org,
      repo: row.repo,
      number: row.number,
      run_result: result(run),
      test_patch_result: result(test),
      f2p_tests: {},
      p2p_tests: {},
      s2p_tests: {},
      n2p_tests: {},
    },
    { kind: "parsed", tests: fixParsed },
  );
  const lists = {
    flaky: [...flaky].sort(),
    passToFail: [...test].filter(([n, s]) => s === "PASS" && fix.get(n) !== "PASS").map(([n]) => n)
      .sort(),
  };
  const report = verdict.report;
  if (!verdict.resolved || !report) {
    const more = flaky.size > 0 ? ` (${flaky.size} flaky test(s) left out)` : "";
    return {
      failToPass: [],
      passToPass: [],
      ...lists,
      unusable: `not a valid task: ${verdict.reason}${more}`,
    };
  }
  return {
    failToPass: Object.keys(report.fixed_tests).sort(),
    passToPass: Object.keys(report.p2p_tests).sort(),
    ...lists,
    fields: {
      run_result: report.run_result,
      test_patch_result: report.test_patch_result,
      fix_patch_result: report.fix_patch_result,
      fixed_tests: report.fixed_tests,
      p2p_tests: report.p2p_tests,
      f2p_tests: report.f2p_tests,
      s2p_tests: report.s2p_tests,
      n2p_tests: report.n2p_tests,
    },
  };
}

function statuses(result: MsbTestResult): Map<string, MsbStatus> {
  const map = new Map<string, MsbStatus>();
  for (const name of result.passed_tests) map.set(name, "PASS");
  for (const name of result.failed_tests) map.set(name, "FAIL");
  for (const name of result.skipped_tests) map.set(name, "SKIP");
  return map;
}

function result(tests: Map<string, MsbStatus>): MsbTestResult {
  const of = (status: MsbStatus) => [...tests].filter(([, s]) => s === status).map(([n]) => n);
  const [passed, failed, skipped] = [of("PASS"), of("FAIL"), of("SKIP")];
  return {
    passed_count: passed.length,
    failed_count: failed.length,
    skipped_count: skipped.length,
    passed_tests: passed,
    failed_tests: failed,
    skipped_tests: skipped,
  };
}
