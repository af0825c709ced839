/**
 * The Velora / SWE-style verdict: from what happened to one instance (patch, test run, parsed
 * log) and its expected test lists to a category, a one-line reason and the four
 * `tests_status` groups. Pure.
 *
 * **Policy.** `resolved` ⇔ the patch applied ∧ the tests ran to the end ∧ at least one test was
 * parsed ∧ every FAIL_TO_PASS test is `PASSED` ∧ every PASS_TO_PASS test is `PASSED` or `XFAIL`
 * (or `SKIPPED`, only with `policy.skippedPassToPassOk`). A test missing from the log fails its
 * group; `XPASS`, `ERROR`, `FAILED` fail it too. An empty FAIL_TO_PASS list does not block
 * resolution (the old evaluator's "never resolves", W14).
 *
 * **Categories** (first that applies): `error_infra` (the container was killed, stopped or removed,
 * or the engine failed: not a verdict on the patch, and not kept as evaluated, `infra.ts`),
 * `error_eval` (harness or parser error; also: the test command exited non-zero and no test was
 * parsed), `empty_patch`, `failed_apply_patch`, `test_timeout`, then `resolved` or `unresolved`. Every verdict has a one-line `reason`, e.g.
 * `FAIL_TO_PASS test_x: FAILED`, `PASS_TO_PASS test_y: missing from log`.
 *
 * **Names** are compared exactly after {@linkcode canonicalName} for the parser's framework.
 * When two parsed names share a canonical form, the worst status wins.
 *
 * FAIL_TO_FAIL / PASS_TO_FAIL are optional lists (SWE-bench rows may carry them); they do not
 * affect the verdict and are graded as SWE-bench does: success = PASSED or XFAIL, failure =
 * FAILED, ERROR or missing.
 *
 * @module
 */
import { canonicalName, type CanonicalOptions } from "./canonical.ts";
import {
  type Framework,
  type ParsedTests,
  setWorst,
  TEST_STATUSES,
  type TestStatus,
} from "./parsers/types.ts";

/** The verdict categories, kept apart in reports. */
export type VeloraCategory =
  | "resolved"
  | "unresolved"
  | "failed_apply_patch"
  | "empty_patch"
  | "test_timeout"
  | "error_eval"
  | "error_infra";

/** Every category, in report order. */
export const VELORA_CATEGORIES: readonly VeloraCategory[] = [
  "resolved",
  "unresolved",
  "failed_apply_patch",
  "empty_patch",
  "test_timeout",
  "error_eval",
  "error_infra",
];

/** True for a string that names a velora category. */
export function isCategory(value: unknown): value is VeloraCategory {
  return typeof value === "string" && (VELORA_CATEGORIES as readonly string[]).includes(value);
}

/** What happened when the instance was evaluated, as the harness saw it. */
export type RunOutcome =
  /** The container died or the engine failed; the log says nothing about the patch. */
  | { kind: "infra_error"; message: string }
  /** The harness failed: container start, unknown parser, parser error, test patch conflict. */
  | { kind: "harness_error"; message: string }
  /** The model patch was empty; nothing was run. */
  | { kind: "empty_patch" }
  /** The model patch did not apply; `detail` is git's message. */
  | { kind: "patch_failed"; detail: string }
  /** The test command was killed at its time limit; `tests` is what the partial log held. */
  | { kind: "timeout"; seconds?: number; tests?: ParsedTests }
  /** The test command ran to the end (`exitCode` null when unknown). */
  | { kind: "ran"; exitCode: number | null; tests: ParsedTests };

/** Choices the verdict leaves open. */
export interface VerdictPolicy {
  /** A PASS_TO_PASS test reported SKIPPED still counts as kept. Default false. */
  skippedPassToPassOk: boolean;
}

/** The default policy. */
export const DEFAULT_POLICY: Readonly<VerdictPolicy> = { skippedPassToPassOk: false };

/** Everything the verdict needs about one instance. */
export interface VerdictInput {
  /** The instance id. */
  instanceId: string;
  /** Expected to fail before and pass after (already normalised, `test_lists.ts`). */
  failToPass: readonly string[];
  /** Expected to pass before and after. */
  passToPass: readonly string[];
  /** Optional SWE-bench lists; informational only. */
  failToFail?: readonly string[];
  /** Optional SWE-bench lists; informational only. */
  passToFail?: readonly string[];
  /** The parser's framework (selects canonicalisation). */
  framework: Framework;
  /** Canonicalisation options (the Go module). */
  canonical?: CanonicalOptions;
  /** What happened. */
  outcome: RunOutcome;
  /** Policy overrides. */
  policy?: Partial<VerdictPolicy>;
}

/** One expected test and what the log said about it. */
export interface TestOutcome {
  /** The expected name, as the row spells it. */
  name: string;
  /** Its parsed status, or `MISSING` when the log does not name it. */
  status: TestStatus | "MISSING";
}

/** A success / failure split of one expected list (the report's `tests_status` group). */
export interface Graded {
  /** Names that met the group's expectation. */
  success: string[];
  /** Names that did not. */
  failure: string[];
}

/** How many parsed tests ended in each status. */
export type StatusCounts = Record<TestStatus, number>;

/** The verdict for one instance. */
export interface Verdict {
  /** The instance id. */
  instanceId: string;
  /** The category. */
  category: VeloraCategory;
  /** `category === "resolved"`. */
  resolved: boolean;
  /** One line explaining the category. */
  reason: string;
  /** The four SWE-bench groups. */
  tests: {
    FAIL_TO_PASS: Graded;
    PASS_TO_PASS: Graded;
    FAIL_TO_FAIL: Graded;
    PASS_TO_FAIL: Graded;
  };
  /** Each expected FAIL_TO_PASS / PASS_TO_PASS test with its parsed status. */
  details: { FAIL_TO_PASS: TestOutcome[]; PASS_TO_PASS: TestOutcome[] };
  /** Status counts over all parsed tests (after canonicalisation). */
  counts: StatusCounts;
  /** The number of distinct parsed tests. */
  parsedTests: number;
}

/** Decides one instance. */
export function decide(input: VerdictInput): Verdict {
  const policy = { ...DEFAULT_POLICY, ...input.policy };
  const { outcome } = input;
  const tests = outcome.kind === "ran" || outcome.kind === "timeout"
    ? canonicalMap(outcome.tests ?? new Map(), input)
    : new Map<string, TestStatus>();
  const lookup = (name: string): TestStatus | "MISSING" =>
    tests.get(canonicalName(name, input.framework, input.canonical)) ?? "MISSING";

  const f2pDetails = input.failToPass.map((name) => ({ name, status: lookup(name) }));
  const p2pDetails = input.passToPass.map((name) => ({ name, status: lookup(name) }));
  const f2pOk = (s: TestStatus | "MISSING") => s === "PASSED";
  const p2pOk = (s: TestStatus | "MISSING") =>
    s === "PASSED" || s === "XFAIL" || (s === "SKIPPED" && policy.skippedPassToPassOk);
  const ran = outcome.kind === "ran";
  const split = (details: TestOutcome[], ok: (s: TestStatus | "MISSING") => boolean): Graded => ({
    success: ran ? details.filter((d) => ok(d.status)).map((d) => d.name) : [],
    failure: ran
      ? details.filter((d) => !ok(d.status)).map((d) => d.name)
      : details.map((d) => d.name),
  });
  const sweGrade = (names: readonly string[] = []): Graded => {
    const success: string[] = [];
    const failure: string[] = [];
    for (const name of names) {
      const s = ran ? lookup(name) : "MISSING";
      if (s === "PASSED" || s === "XFAIL") success.push(name);
      else if (s === "FAILED" || s === "ERROR" || s === "MISSING") failure.push(name);
    }
    return { success, failure };
  };

  const counts = Object.fromEntries(TEST_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const status of tests.values()) counts[status]++;

  const [category, reason] = categorise(input, tests, f2pDetails, p2pDetails, f2pOk, p2pOk);
  return {
    instanceId: input.instanceId,
    category,
    resolved: category === "resolved",
    reason,
    tests: {
      FAIL_TO_PASS: split(f2pDetails, f2pOk),
      PASS_TO_PASS: split(p2pDetails, p2pOk),
      FAIL_TO_FAIL: sweGrade(input.failToFail),
      PASS_TO_FAIL: sweGrade(input.passToFail),
    },
    details: { FAIL_TO_PASS: f2pDetails, PASS_TO_PASS: p2pDetails },
    counts,
    parsedTests: tests.size,
  };
}

function categorise(
  input: VerdictInput,
  tests: Map<string, TestStatus>,
  f2p: TestOutcome[],
  p2p: TestOutcome[],
  f2pOk: (s: TestStatus | "MISSING") => boolean,
  p2pOk: (s: TestStatus | "MISSING") => boolean,
): [VeloraCategory, string] {
  const { outcome } = input;
  switch (outcome.kind) {
    case "infra_error":
      return [
        "error_infra",
        `${oneLine(outcome.message) || "evaluation infrastructure failed"}; ` +
        "not a verdict: evaluated again on the next run",
      ];
    case "harness_error":
      return ["error_eval", oneLine(outcome.message) || "evaluation failed"];
    case "empty_patch":
      return ["empty_patch", "model patch is empty"];
    case "patch_failed":
      return ["failed_apply_patch", `model patch did not apply: ${oneLine(outcome.detail)}`];
    case "timeout": {
      const limit = outcome.seconds === undefined ? "" : ` after ${outcome.seconds} s`;
      return ["test_timeout", `test command timed out${limit} (${tests.size} tests parsed)`];
    }
    case "ran":
      break;
  }
  if (tests.size === 0) {
    if (outcome.exitCode !== null && outcome.exitCode !== 0) {
      return [
        "error_eval",
        `test command exited with ${outcome.exitCode} and no test results were parsed`,
      ];
    }
    return ["unresolved", "no test results were parsed from the log"];
  }
  const problems = [
    ...f2p.filter((d) => !f2pOk(d.status)).map((d) => problem("FAIL_TO_PASS", d)),
    ...p2p.filter((d) => !p2pOk(d.status)).map((d) => problem("PASS_TO_PASS", d)),
  ];
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    return ["unresolved", problems[0] + more];
  }
  return [
    "resolved",
    `all ${f2p.length} FAIL_TO_PASS and ${p2p.length} PASS_TO_PASS tests passed`,
  ];
}

function problem(group: string, d: TestOutcome): string {
  return `${group} ${d.name}: ${d.status === "MISSING" ? "missing from log" : d.status}`;
}

function canonicalMap(parsed: ParsedTests, input: VerdictInput): Map<string, TestStatus> {
  const out = new Map<string, TestStatus>();
  for (const [name, status] of parsed) {
    setWorst(out, canonicalName(name, input.framework, input.canonical), status);
  }
  return out;
}

function oneLine(text: string): string {
  const first = text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
  return first.length > 300 ? `${first.slice(0, 297)}...` : first;
}
