import assert from "node:assert/strict";
import { join } from "node:path";
import { readJsonl } from "../../src/dataset/jsonl.ts";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { buildMsbImage, MSB_HARMLESS_PATCH, msbRow } from "../support/msb_image.ts";
import { velora } from "../support/velora.ts";

const ignore = await ignoreWithoutDocker();

async function rows(file: string): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for await (const { value } of readJsonl(file)) {
    const row = value as Record<string, unknown>;
    out.set(row.instance_id as string, row);
  }
  return out;
}

const sets = (result: unknown) => {
  const r = result as Record<string, string[]>;
  return [r.passed_tests!, r.failed_tests!, r.skipped_tests!].map((l) => [...l].sort());
};

Deno.test({
  name:
    "velora derive fills a Multi-SWE-bench row from run.sh, test-run.sh and fix-run.sh; velora validate then passes it",
  ignore,
  async fn() {
    const fixture = await buildMsbImage();
    const dir = await Deno.makeTempDir({ prefix: "velora-derive-msb-" });
    const env = { EVAL_DOCKER_IMAGE_PREFIX: fixture.prefix };
    try {
      await Deno.writeTextFile(
        join(dir, "tasks.jsonl"),
        [msbRow(), msbRow({ instance_id: "harmless", fix_patch: MSB_HARMLESS_PATCH })]
          .map((r) => JSON.stringify(r)).join("\n") + "\n",
      );
      // --test-command is for Velora rows: a Multi-SWE-bench row keeps running its own scripts.
      const derive = await velora(
        ["derive", "tasks.jsonl", "--timeout", "120", "--test-command", "false"],
        { cwd: dir, env },
      );
      assert.equal(derive.code, 0, derive.stderr);
      assert.match(
        derive.stdout,
        /^derived 2 of 2 task\(s\) into tasks\.derived\.jsonl: 1 usable, 1 unusable \(1: not a valid task\)/,
      );
      assert.match(derive.stderr, /jqlang__jq-9001: 1 fixed \(f2p, s2p, n2p\), 1 p2p/);
      const out = await rows(join(dir, "tasks.derived.jsonl"));
      const row = out.get("jqlang__jq-9001")!;
      assert.equal(row.usable, true, String(row.unusable_reason));
      assert.equal(row.test_command, undefined);
      assert.equal(row.FAIL_TO_PASS, undefined, "Multi-SWE-bench rows keep their own fields");
      assert.deepEqual(sets(row.run_result), [["tests/add"], [], []]);
      assert.deepEqual(sets(row.test_patch_result), [["tests/add"], ["tests/mul"], []]);
      assert.deepEqual(sets(row.fix_patch_result), [["tests/add", "tests/mul"], [], []]);
      assert.deepEqual(row.f2p_tests, { "tests/mul": { run: "NONE", test: "FAIL", fix: "PASS" } });
      assert.deepEqual(row.fixed_tests, row.f2p_tests);
      assert.deepEqual(row.p2p_tests, { "tests/add": { run: "PASS", test: "PASS", fix: "PASS" } });
      assert.deepEqual([row.s2p_tests, row.n2p_tests], [{}, {}]);
      assert.deepEqual(row.derive, {
        runs: 1,
        flaky_tests: [],
        pass_to_fail: [],
        image: fixture.image,
      });
      const harmless = out.get("harmless")!;
      assert.equal(harmless.usable, false);
      assert.match(
        String(harmless.unusable_reason),
        /^not a valid task: no test went from not passing to passing/,
      );
      const runs = join(dir, "tasks.derived.jsonl.runs", "jqlang__jq-9001");
      assert.match(
        await Deno.readTextFile(join(runs, "run-1", "test_output.txt")),
        /^PASS: tests\/add$/m,
      );
      assert.match(
        await Deno.readTextFile(join(runs, "fix-1", "test_output.txt")),
        /^PASS: tests\/mul$/m,
      );

      // The derived row is a Multi-SWE-bench dataset row: its gold patch resolves, no patch does not.
      await Deno.writeTextFile(join(dir, "usable.jsonl"), JSON.stringify(row) + "\n");
      const validate = await velora(["validate", "usable.jsonl", "--timeout", "120"], {
        cwd: dir,
        env,
      });
      assert.equal(validate.code, 0, validate.stdout + validate.stderr);
      assert.match(validate.stdout, /All 1 tasks pass: gold resolves, no patch does not\./);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await fixture.remove();
    }
  },
});
