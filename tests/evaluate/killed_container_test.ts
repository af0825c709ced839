import assert from "node:assert/strict";
import { join } from "node:path";
import { LABEL_INSTANCE, LABEL_PHASE, labelFilter } from "../../src/docker/labels.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { spawnVelora, velora, waitFor } from "../support/velora.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();

/** The evaluation containers of one instance, running or not. */
async function evalContainers(id: string, all = false) {
  return await docker.listContainers({
    all,
    filters: { label: [labelFilter(LABEL_INSTANCE, id), labelFilter(LABEL_PHASE, "evaluate")] },
  });
}

Deno.test({
  name: "evaluate: a container killed mid-test is error_infra, not kept, and the rerun judges it",
  ignore,
  async fn() {
    await ensureDemoImage();
    const id = `killed-${crypto.randomUUID().slice(0, 8)}`;
    const dir = await Deno.makeTempDir({ prefix: "velora-killed-" });
    try {
      const demo = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
      assert.equal(demo.image_storage_uri, `docker://${DEMO_IMAGE}`);
      // The tests sleep first, long enough to be killed in the middle.
      const instance = {
        ...demo,
        instance_id: id,
        test_command: `sleep 5 && ${demo.test_command}`,
      };
      const output = join(dir, "output.jsonl");
      await Deno.writeTextFile(
        output,
        JSON.stringify({ instance_id: id, test_result: { git_patch: demo.patch }, instance }) +
          "\n",
      );
      await Deno.writeTextFile(
        join(dir, "p.toml"),
        `name = "killed"\noutput_dir = "run"\n\n[[phases]]\nkind = "evaluate"\n` +
          `trajectory_file = ${JSON.stringify(output)}\ntimeout = 120\n`,
      );
      const evalDir = join(dir, "eval_outputs");
      const report = async () =>
        JSON.parse(await Deno.readTextFile(join(evalDir, id, "report.json")))[id];

      // 1. Kill the evaluation container (found by velora's labels) while the tests sleep.
      const first = spawnVelora(["run", "p.toml"], { cwd: dir });
      let killed = "";
      await waitFor("the tests to start in the evaluation container", async () => {
        const [info] = await evalContainers(id);
        if (!info) return false;
        const container = docker.getContainer(info.Id);
        const top = await container.top().catch(() => ({ Processes: [] }));
        const sleeping = (top.Processes as string[][]).some((p) => p.at(-1) === "sleep 5");
        if (sleeping) {
          await container.kill();
          killed = info.Id;
        }
        return sleeping;
      }, 120_000);
      const result1 = await first.done;
      assert.equal(result1.code, 1, result1.stderr);
      assert.match(
        result1.stderr,
        /1 instance was not evaluated because the evaluation infrastructure failed \(error_infra/,
      );
      assert.match(result1.stderr, /run the pipeline again to evaluate it/);

      const infra = await report();
      assert.equal(infra.category, "error_infra", infra.reason);
      assert.equal(infra.resolved, false);
      assert.match(
        infra.reason,
        /^the (evaluation container stopped during the evaluation \(exit 137, killed\)|test log could not be read back \(exit \d+.*\)); not a verdict: evaluated again on the next run$/,
      );
      assert.doesNotMatch(infra.reason, /FAIL_TO_PASS|PASS_TO_PASS/);
      const aggregate1 = JSON.parse(await Deno.readTextFile(join(evalDir, "report.json")));
      assert.deepEqual(aggregate1.categories.error_infra.ids, [id]);
      assert.deepEqual(aggregate1.error_ids, [id]);
      assert.deepEqual(aggregate1.unresolved_ids, []);
      const row1 = JSON.parse(await Deno.readTextFile(output));
      assert.equal(row1.report.category, "error_infra");
      assert.match(
        await Deno.readTextFile(join(evalDir, id, "run_instance.log")),
        /infrastructure failure: the /,
      );
      assert.deepEqual(await evalContainers(id, true), [], "the killed container was removed");
      assert.ok(killed);

      // 2. The same command again evaluates the instance again, to its real verdict.
      const result2 = await velora(["run", "p.toml"], { cwd: dir });
      assert.equal(result2.code, 0, result2.stderr);
      assert.match(result2.stderr, /evaluated again after an infrastructure error: 1/);
      assert.match(result2.stderr, /1\/1 resolved/);
      assert.match(result2.stderr, new RegExp(`${id}: resolved`));
      const resolved = await report();
      assert.equal(resolved.category, "resolved", resolved.reason);
      assert.equal(resolved.resolved, true);
      const aggregate2 = JSON.parse(await Deno.readTextFile(join(evalDir, "report.json")));
      assert.deepEqual(aggregate2.resolved_ids, [id]);
      assert.deepEqual(aggregate2.categories.error_infra.ids, []);
      assert.equal(JSON.parse(await Deno.readTextFile(output)).report.category, "resolved");

      // 3. A real verdict is kept: --rerun evaluate does not run the tests again.
      const result3 = await velora(["run", "p.toml", "--rerun", "evaluate"], { cwd: dir });
      assert.equal(result3.code, 0, result3.stderr);
      assert.match(result3.stderr, /1\/1 resolved/);
      assert.doesNotMatch(result3.stderr, /evaluated again/);
      assert.doesNotMatch(result3.stderr, new RegExp(`${id}: resolved`));
    } finally {
      for (const info of await evalContainers(id, true)) {
        await docker.getContainer(info.Id).remove({ force: true }).catch(() => {});
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
