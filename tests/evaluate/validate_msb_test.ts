import assert from "node:assert/strict";
import { toInstance } from "../../src/dataset/formats/mod.ts";
import type { EvalSettings } from "../../src/evaluate/harness.ts";
import type { MsbVerdict } from "../../src/evaluate/mswebench_rule.ts";
import { validateDataset } from "../../src/evaluate/validate.ts";
import { ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { buildMsbImage, MSB_HARMLESS_PATCH, msbRow } from "../support/msb_image.ts";
import { DockerBackend } from "../../src/runtime/docker_backend.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();
const SETTINGS: EvalSettings = {
  timeoutSeconds: 60,
  patchFallback: "none",
  network: "none",
  skippedPassToPassOk: false,
};

const result = (passed: string[], failed: string[] = []) => ({
  passed_count: passed.length,
  failed_count: failed.length,
  skipped_count: 0,
  passed_tests: passed,
  failed_tests: failed,
  skipped_tests: [],
});
const test = (run: string, t: string) => ({ run, test: t, fix: "PASS" });

/** The fixture row with the results the reference would store for it. */
const stored = (changes: Record<string, unknown> = {}) =>
  msbRow({
    run_result: result(["tests/add"]),
    test_patch_result: result(["tests/add"], ["tests/mul"]),
    fix_patch_result: result(["tests/add", "tests/mul"]),
    fixed_tests: { "tests/mul": test("NONE", "FAIL") },
    p2p_tests: { "tests/add": test("PASS", "PASS") },
    f2p_tests: { "tests/mul": test("NONE", "FAIL") },
    s2p_tests: {},
    n2p_tests: {},
    ...changes,
  });

Deno.test({
  name:
    "validate takes Multi-SWE-bench rows through the reference path: fix-run.sh with the gold patch, test-run.sh without",
  ignore,
  async fn() {
    const fixture = await buildMsbImage();
    const dir = await Deno.makeTempDir({ prefix: "velora-validate-msb-" });
    try {
      const rows = [
        stored(),
        stored({ instance_id: "harmless-gold", fix_patch: MSB_HARMLESS_PATCH }),
        // Expects only tests/add, which passes without the fix: no patch resolves it too.
        stored({
          instance_id: "add-only",
          run_result: result([]),
          test_patch_result: result([]),
          fixed_tests: { "tests/add": test("NONE", "NONE") },
          p2p_tests: {},
          f2p_tests: {},
          n2p_tests: { "tests/add": test("NONE", "NONE") },
        }),
      ];
      const dataset = new Map(rows.map((r) => [r.instance_id as string, toInstance(r)]));
      const validation = await validateDataset({
        dataset,
        outputDir: dir,
        settings: SETTINGS,
        naming: { prefix: fixture.prefix },
        numWorkers: 1,
        backend: new DockerBackend(docker),
        log: () => {},
      });
      const byId = new Map(validation.rows.map((r) => [r.id, r]));
      const good = byId.get("jqlang__jq-9001")!;
      assert.deepEqual(good.problems, []);
      assert.equal((good.gold as MsbVerdict).outcome, "resolved");
      assert.equal((good.base as MsbVerdict).outcome, "unresolved");
      assert.match(good.base.reason, /^no test went from not passing to passing/);
      assert.deepEqual(
        validation.failing.map((r) => [r.id, r.problems]),
        [
          ["add-only", ["without a patch the task already resolves"]],
          ["harmless-gold", [
            "gold patch: unresolved: no test went from not passing to passing (fix: (1, 1, 0) passed/failed/skipped)",
          ]],
        ],
      );
      assert.match(validation.table, /^2 of 3 tasks fail validation:$/m);
      // The reference's report.json of each check is kept.
      const report = JSON.parse(
        await Deno.readTextFile(`${dir}/gold/jqlang__jq-9001/report.json`),
      );
      assert.deepEqual(report.fix_patch_result.passed_tests.sort(), ["tests/add", "tests/mul"]);
      assert.match(
        await Deno.readTextFile(`${dir}/no_patch/jqlang__jq-9001/test_output.txt`),
        /^FAIL: tests\/mul$/m,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
      await fixture.remove();
    }
  },
});
