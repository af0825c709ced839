/**
 * Peer test: velora's Multi-SWE-bench decision (`decideMsb` on the fix log parsed by
 * `msbParser`, as the evaluate phase does) against multi-swe-bench 1.1.2's own
 * `gen_report` `run_evaluation()` (which builds each `Report`, runs `check()` and the dataset
 * completeness check, and writes `final_report.json`), on the constructed cases of
 * `mswebench_rule_cases.ts`. The bucket (resolved / unresolved / error) must agree, and for
 * every report the reference writes: `valid`, the opening of `error_msg`, the fix result's sets
 * and the names in `fixed_tests` and each group.
 *
 * Skipped without the peer environment (scripts/peer_venv.sh), except under `CI=true`.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  decideMsb,
  type MsbReport,
  type MsbRow,
  type MsbStatus,
  type MsbTest,
  type MsbVerdict,
} from "../../src/evaluate/mswebench_rule.ts";
import { msbParser } from "../../src/evaluate/parsers/mswebench/mod.ts";
import { BAD_ROW_CASE, RULE_CASES, type RuleCase, type Stage } from "./mswebench_rule_cases.ts";
import { peerPython, skipPeer } from "./_venv.ts";

const ignore = await skipPeer();
const PEER = await Deno.readTextFile(new URL("./mswebench_peer.py", import.meta.url));

function result(stage: Stage, miscount = 0) {
  const lists = { passed: stage.pass ?? [], failed: stage.fail ?? [], skipped: stage.skip ?? [] };
  return {
    passed_count: new Set(lists.passed).size + miscount,
    failed_count: new Set(lists.failed).size,
    skipped_count: new Set(lists.skipped).size,
    passed_tests: lists.passed,
    failed_tests: lists.failed,
    skipped_tests: lists.skipped,
  };
}

/** The dataset row of a case (`miscount` breaks its stored run result). */
function rowOf(c: RuleCase, miscount = 0): MsbRow & Record<string, unknown> {
  const [org, repo] = (c.repo ?? "jqlang/jq").split("/") as [string, string];
  const group = (names: string[] = [], test: MsbStatus): Record<string, MsbTest> =>
    Object.fromEntries(names.map((n) => [n, { run: "NONE", test, fix: "PASS" }]));
  const f2p = group(c.groups.f2p, "FAIL");
  const s2p = group(c.groups.s2p, "SKIP");
  const n2p = group(c.groups.n2p, "NONE");
  return {
    org,
    repo,
    number: c.number,
    state: "closed",
    title: c.id,
    body: "",
    base: { label: `${org}:main`, ref: "main", sha: "0123456789abcdef0123456789abcdef01234567" },
    resolved_issues: [{ number: 1, title: "issue", body: null }],
    fix_patch: "",
    test_patch: "",
    fixed_tests: { ...f2p, ...s2p, ...n2p },
    p2p_tests: group(c.groups.p2p, "PASS"),
    f2p_tests: f2p,
    s2p_tests: s2p,
    n2p_tests: n2p,
    run_result: result(c.run, miscount),
    test_patch_result: result(c.test),
    fix_patch_result: result({}),
  };
}

const idOf = (row: MsbRow) => `${row.org}/${row.repo}:pr-${row.number}`;

/** The evaluate phase's decision for a case (harness.ts `evaluateMsb`, without the container). */
function velora(c: RuleCase, row: MsbRow): MsbVerdict {
  if (c.fixLog === null) return decideMsb(row, { kind: "error", message: "no fix log" });
  try {
    const tests = msbParser(row.org, row.repo, row.number).parse(c.fixLog);
    return decideMsb(row, { kind: "parsed", tests });
  } catch (error) {
    return decideMsb(row, { kind: "error", message: (error as Error).message });
  }
}

const names = (record: Record<string, unknown>) => Object.keys(record).sort();
const sorted = (list: string[]) => [...new Set(list)].sort();
const opening = (message: string) => message.split(" A brief summary")[0];

/** The parts of a report both sides must agree on. */
function essentials(r: MsbReport) {
  return {
    valid: r.valid,
    error_msg: opening(r.error_msg),
    fix: {
      passed: sorted(r.fix_patch_result.passed_tests),
      failed: sorted(r.fix_patch_result.failed_tests),
      skipped: sorted(r.fix_patch_result.skipped_tests),
    },
    fixed: names(r.fixed_tests),
    p2p: names(r.p2p_tests),
    f2p: names(r.f2p_tests),
    s2p: names(r.s2p_tests),
    n2p: names(r.n2p_tests),
  };
}

Deno.test("peer rule cases: at least 30, with unique ids and every outcome", () => {
  assert.ok(RULE_CASES.length >= 30, `${RULE_CASES.length} cases`);
  const ids = RULE_CASES.map((c) => idOf(rowOf(c)));
  assert.equal(new Set(ids).size, ids.length);
  const outcomes = new Set(RULE_CASES.map((c) => velora(c, rowOf(c)).outcome));
  assert.deepEqual([...outcomes].sort(), ["error", "resolved", "unresolved"]);
});

Deno.test({
  name: "peer: the Multi-SWE-bench rule agrees with gen_report's run_evaluation() on every case",
  ignore,
  async fn() {
    const rows = RULE_CASES.map((c) => rowOf(c));
    const logs = Object.fromEntries(RULE_CASES.map((c, i) => [idOf(rows[i]!), c.fixLog]));
    const ref = JSON.parse(await peerPython(PEER, JSON.stringify({ mode: "rule", rows, logs })));
    assert.equal(ref.raised, undefined, ref.raised);
    const bucket = (id: string) =>
      ref.final.resolved_ids.includes(id)
        ? "resolved"
        : ref.final.unresolved_ids.includes(id)
        ? "unresolved"
        : ref.final.error_ids.includes(id)
        ? "error"
        : "absent";
    const disagree: string[] = [];
    RULE_CASES.forEach((c, i) => {
      const row = rows[i]!;
      const id = idOf(row);
      const verdict = velora(c, row);
      if (verdict.outcome !== bucket(id)) {
        disagree.push(`${c.id}: velora ${verdict.outcome} (${verdict.reason}), ref ${bucket(id)}`);
        return;
      }
      const report = ref.reports[id] as MsbReport | null;
      if (verdict.outcome === "error") return;
      assert.ok(report && verdict.report, `${c.id}: a report on both sides`);
      const [mine, theirs] = [essentials(verdict.report), essentials(report)];
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
        disagree.push(
          `${c.id}:\n  velora ${JSON.stringify(mine)}\n  ref    ${JSON.stringify(theirs)}`,
        );
      }
    });
    assert.deepEqual(disagree, [], `${disagree.length} of ${RULE_CASES.length} cases disagree`);
    assert.equal(ref.final.total_instances, RULE_CASES.length);
  },
});

Deno.test({
  name: "peer: a row with inconsistent stored results stops the reference and is velora's error",
  ignore,
  async fn() {
    const row = rowOf(BAD_ROW_CASE, 1);
    const ref = JSON.parse(
      await peerPython(
        PEER,
        JSON.stringify({ mode: "rule", rows: [row], logs: { [idOf(row)]: BAD_ROW_CASE.fixLog } }),
      ),
    );
    assert.match(ref.raised ?? "", /passed_count/);
    const verdict = velora(BAD_ROW_CASE, row);
    assert.equal(verdict.outcome, "error");
    assert.match(verdict.reason, /passed_count/);
  },
});
