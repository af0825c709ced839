import assert from "node:assert/strict";
import { msbFromRuns } from "../../src/derive/derive_msb.ts";
import type { MsbStatus } from "../../src/evaluate/mswebench_rule.ts";

const ROW = { org: "jqlang", repo: "jq", number: 1 };
const run = (entries: Record<string, MsbStatus>) => new Map(Object.entries(entries));

Deno.test("msbFromRuns: stage results and the reference's groups (f2p, s2p, n2p, p2p)", () => {
  const out = msbFromRuns(ROW, {
    run: [run({ a: "PASS", s: "SKIP" })],
    test: [run({ a: "PASS", f: "FAIL", s: "SKIP" })],
    fix: [run({ a: "PASS", f: "PASS", s: "PASS", n: "PASS", x: "SKIP" })],
  });
  assert.equal(out.unusable, undefined);
  assert.deepEqual(out.failToPass, ["f", "n", "s"]);
  assert.deepEqual(out.passToPass, ["a"]);
  const f = out.fields!;
  assert.deepEqual(Object.keys(f.f2p_tests), ["f"]);
  assert.deepEqual(Object.keys(f.s2p_tests), ["s"]);
  assert.deepEqual(Object.keys(f.n2p_tests), ["n"]);
  assert.deepEqual(f.s2p_tests.s, { run: "SKIP", test: "SKIP", fix: "PASS" });
  assert.deepEqual(f.fix_patch_result.skipped_tests, ["x"]);
  assert.equal(f.fix_patch_result.passed_count, 4);
});

Deno.test("msbFromRuns: a status that varies between runs of a stage is flaky and in no result", () => {
  const out = msbFromRuns(ROW, {
    run: [run({ a: "PASS" }), run({ a: "PASS", w: "PASS" })],
    test: [run({ a: "PASS", f: "FAIL" }), run({ a: "PASS", f: "FAIL" })],
    fix: [run({ a: "PASS", f: "PASS", w: "PASS" }), run({ a: "PASS", f: "PASS", w: "FAIL" })],
  });
  assert.deepEqual(out.flaky, ["w"]);
  assert.deepEqual(out.failToPass, ["f"]);
  for (const r of [out.fields!.run_result, out.fields!.fix_patch_result]) {
    assert.equal(r.passed_tests.includes("w") || r.failed_tests.includes("w"), false);
  }
});

Deno.test("msbFromRuns: an invalid report makes the row unusable with the check that failed", () => {
  const broken = msbFromRuns(ROW, {
    run: [run({})],
    test: [run({ a: "PASS", f: "FAIL" })],
    fix: [run({ a: "FAIL", f: "PASS" })],
  });
  assert.match(broken.unusable!, /^not a valid task: test a passed with the test patch but failed/);
  assert.deepEqual(broken.passToFail, ["a"]);
  assert.equal(broken.fields, undefined);
  const nothing = msbFromRuns(ROW, {
    run: [run({})],
    test: [run({ f: "FAIL", g: "FAIL" }), run({ g: "FAIL" })],
    fix: [run({ f: "PASS", g: "FAIL" }), run({ f: "PASS", g: "FAIL" })],
  });
  assert.match(
    nothing.unusable!,
    /no test went from not passing to passing .*\(1 flaky test\(s\) left out\)$/,
  );
});
