import assert from "node:assert/strict";
import type { ContainerState } from "../../src/docker/containers.ts";
import {
  type ContainerEvidence,
  engineFailure,
  infraErrorsMessage,
  infraFailure,
} from "../../src/evaluate/infra.ts";
import { decideMsb, type MsbRow } from "../../src/evaluate/mswebench_rule.ts";
import { lookupParser } from "../../src/evaluate/parsers/mod.ts";
import { aggregateReport, evalSummary, rowReport } from "../../src/evaluate/report.ts";
import { decide, type RunOutcome, VELORA_CATEGORIES } from "../../src/evaluate/verdict.ts";
import { fromVeloraEval } from "../../src/report/eval_info.ts";

const RUNNING: ContainerState = { running: true, oomKilled: false, exitCode: 0, error: "" };
const KILLED: ContainerState = { running: false, oomKilled: false, exitCode: 137, error: "" };

/** A pytest log with one failing FAIL_TO_PASS test, framed as eval.sh frames it. */
const FAILING_LOG = [
  "VELORA_PATCH_APPLIED: git",
  ">>>>> Start Test Output",
  "FAILED tests/test_durations.py::test_combined_units - assert 1800 == 5400",
  "PASSED tests/test_durations.py::test_single_unit",
  "===== 1 failed, 1 passed in 0.05s =====",
  ">>>>> End Test Output",
  "VELORA_TEST_EXIT: 1",
  "",
].join("\n");

function evidence(changes: Partial<ContainerEvidence> = {}): ContainerEvidence {
  return {
    tests: { exitCode: 0, output: "" },
    read: { exitCode: 0, output: FAILING_LOG },
    state: RUNNING,
    ...changes,
  };
}

function judge(outcome: RunOutcome) {
  return decide({
    instanceId: "i-1",
    failToPass: ["tests/test_durations.py::test_combined_units"],
    passToPass: ["tests/test_durations.py::test_single_unit"],
    framework: "pytest",
    outcome,
  });
}

// --- classification ----------------------------------------------------------------------------

Deno.test("infraFailure(): a container killed mid-test (docker kill) is an infrastructure failure", () => {
  // What the harness sees after `docker kill`: the test exec killed, the read answered by the
  // runtime with its own message (exit 126), then the container found stopped with 137.
  const reason = infraFailure(evidence({
    tests: { exitCode: 137, output: "" },
    read: { exitCode: 126, output: "cannot exec in a stopped state: unknown\r\n" },
    state: KILLED,
  }));
  assert.equal(reason, "the evaluation container stopped during the evaluation (exit 137, killed)");
});

Deno.test("infraFailure(): the runtime's error text as the read's output, container still shown running", () => {
  const reason = infraFailure(evidence({
    tests: { exitCode: 137, output: "" },
    read: { exitCode: 126, output: "cannot exec in a stopped state: unknown\r\n" },
  }));
  assert.equal(
    reason,
    "the test log could not be read back (exit 126: cannot exec in a stopped state: unknown)",
  );
});

Deno.test("infraFailure(): an exec error from the engine in the test exec's output", () => {
  const reason = infraFailure(evidence({
    tests: {
      exitCode: 126,
      output: "OCI runtime exec failed: exec failed: unable to start container process: " +
        "error executing setns process: exit status 1: unknown\n",
    },
  }));
  assert.match(reason ?? "", /^the engine could not run the tests: OCI runtime exec failed: /);
});

Deno.test("infraFailure(): OOMKilled is an infrastructure failure, running or not", () => {
  const state = { running: false, oomKilled: true, exitCode: 137, error: "" };
  assert.equal(
    infraFailure(evidence({ tests: { exitCode: 137, output: "" }, state })),
    "the evaluation container ran out of memory and was killed (OOMKilled, exit 137)",
  );
  assert.match(
    infraFailure(evidence({ state: { ...RUNNING, oomKilled: true } })) ?? "",
    /OOMKilled/,
  );
});

Deno.test("infraFailure(): exit 137 with the container gone is an infrastructure failure", () => {
  assert.equal(
    infraFailure(evidence({
      tests: { exitCode: 137, output: "" },
      read: { exitCode: 137, output: "" },
      state: null,
    })),
    "the evaluation container was removed during the evaluation (test exec exit 137, killed)",
  );
});

Deno.test("infraFailure(): a container that stopped with an engine error names it", () => {
  const state = { running: false, oomKilled: false, exitCode: 128, error: "task failed\nmore" };
  assert.equal(
    infraFailure(evidence({ state })),
    "the evaluation container stopped during the evaluation (exit 128: task failed)",
  );
});

Deno.test("infraFailure(): a genuine failing test log is judged, and the verdict is unresolved", () => {
  assert.equal(infraFailure(evidence()), undefined);
  // A test log that talks about stopped containers is still a test log when it was read back.
  const dockerish = `${FAILING_LOG}Error: container abc is not running\n`;
  assert.equal(infraFailure(evidence({ read: { exitCode: 0, output: dockerish } })), undefined);
  // The test command's own non-zero exit (tests failed) is inside the log, not the exec's.
  assert.equal(infraFailure(evidence({ tests: { exitCode: 1, output: "" } })), undefined);

  const tests = lookupParser("python/parse_log_pytest").parse(FAILING_LOG);
  const verdict = judge({ kind: "ran", exitCode: 1, tests });
  assert.equal(verdict.category, "unresolved");
  assert.equal(
    verdict.reason,
    "FAIL_TO_PASS tests/test_durations.py::test_combined_units: FAILED",
  );
});

Deno.test("engineFailure(): the container's state first, else the engine's message in one line", () => {
  const error = new Error(
    "(HTTP code 409) container stopped/paused - Container 1f2e is not running\nstack",
  );
  assert.equal(
    engineFailure(error, KILLED),
    "the evaluation container stopped during the evaluation (exit 137, killed)",
  );
  assert.equal(
    engineFailure(error, null),
    "the evaluation container was removed during the evaluation",
  );
  const message = "the container engine failed: (HTTP code 409) container stopped/paused - " +
    "Container 1f2e is not running";
  assert.equal(engineFailure(error, RUNNING), message);
  assert.equal(engineFailure(error), message);
});

// --- the category and the reports --------------------------------------------------------------

Deno.test("decide(): an infra_error outcome is error_infra with a reason saying it runs again", () => {
  const verdict = judge({
    kind: "infra_error",
    message: "the evaluation container stopped during the evaluation (exit 137, killed)",
  });
  assert.equal(verdict.category, "error_infra");
  assert.equal(verdict.resolved, false);
  assert.equal(
    verdict.reason,
    "the evaluation container stopped during the evaluation (exit 137, killed); " +
      "not a verdict: evaluated again on the next run",
  );
  assert.deepEqual(verdict.tests.FAIL_TO_PASS, {
    success: [],
    failure: ["tests/test_durations.py::test_combined_units"],
  });
  assert.ok(VELORA_CATEGORIES.includes("error_infra"));
});

Deno.test("reports keep error_infra apart and count it as an error, never as unresolved", () => {
  const infra = judge({ kind: "infra_error", message: "the container engine failed: boom" });
  const failing = judge({
    kind: "ran",
    exitCode: 1,
    tests: lookupParser("python/parse_log_pytest").parse(FAILING_LOG),
  });
  const verdicts = [{ ...infra, instanceId: "infra" }, { ...failing, instanceId: "failing" }];

  const aggregate = aggregateReport(verdicts);
  assert.deepEqual(aggregate.error_ids, ["infra"]);
  assert.deepEqual(aggregate.unresolved_ids, ["failing"]);
  assert.deepEqual(aggregate.completed_ids, ["failing"]);
  assert.deepEqual(aggregate.categories.error_infra, { instances: 1, ids: ["infra"] });

  const summary = evalSummary(verdicts);
  assert.equal(summary.error_infra_instances, 1);
  assert.equal(summary.unresolved_instances, 1);
  assert.equal(summary.error_instances, 0);
  assert.equal(summary.results.infra!.category, "error_infra");

  const row = rowReport(verdicts[0]!);
  assert.equal(row.category, "error_infra");
  assert.equal(row.error_eval, true);
  assert.equal(row.resolved, false);

  // The HTML / text report reads velora_eval.json back with the same category.
  const info = fromVeloraEval(
    { patch_sha256: "h", mode: "velora", verdict: verdicts[0] },
    "h",
  );
  assert.equal(info?.category, "error_infra");
});

Deno.test("decideMsb(): an infra_error is an error marked infra, with the same reason", () => {
  const row = { org: "o", repo: "r", number: 7 } as MsbRow;
  const verdict = decideMsb(row, {
    kind: "infra_error",
    message: "the container engine failed: boom",
  });
  assert.deepEqual(verdict, {
    id: "o/r:pr-7",
    outcome: "error",
    resolved: false,
    reason: "the container engine failed: boom; not a verdict: evaluated again on the next run",
    infra: true,
  });
  const info = fromVeloraEval({ patch_sha256: "h", mode: "multi_swe_bench", verdict }, "h");
  assert.equal(info?.category, "error_infra");
});

Deno.test("infraErrorsMessage() says how many and how to evaluate them", () => {
  assert.equal(
    infraErrorsMessage(1, "run the pipeline again"),
    "1 instance was not evaluated because the evaluation infrastructure failed " +
      "(error_infra, reasons in report.json); run the pipeline again to evaluate it",
  );
  assert.match(
    infraErrorsMessage(3, "x"),
    /^3 instances were not evaluated .*; x to evaluate them$/,
  );
});
