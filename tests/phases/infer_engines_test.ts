/**
 * The infer phase over two Docker engines (`engines`): the test's engine and a second `dockerd`
 * of its own on this machine. A 20-instance run uses both; the second ^C removes the run's
 * containers on both; with the second daemon SIGKILLed mid-run, its instances are retried on the
 * first and the run still ends with one good row each, leaving no container on the surviving
 * engine.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Docker, dockerEndpoint } from "../../src/docker/client.ts";
import { LABEL_PID, labelFilter } from "../../src/docker/labels.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import {
  type SecondDockerd,
  secondDockerdMissing,
  startSecondDockerd,
} from "../support/second_dockerd.ts";
import { listTree, readOrEmpty, spawnVelora, waitFor } from "../support/velora.ts";
import { demoScript, writeScriptedInfer } from "../support/scripted_infer.ts";

const missing = await secondDockerdMissing();
const ignore = await ignoreWithoutDocker() || (Deno.env.get("CI") !== "true" && !!missing);
if (missing && ignore) console.error(`infer_engines_test: skipped: ${missing}`);

const docker = testDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));
const IDS = Array.from(
  { length: 20 },
  (_, i) => `demo__durations-e${String(i + 1).padStart(2, "0")}`,
);
const ENV = { RUNTIME_CONTAINER_IMAGE: DEMO_IMAGE };
const OUT = "run/outputs/tasks.jsonl-train/CodeActAgent/scripted_script.json_maxiter_20";

/**
 * A run folder: 20 copies of the demo row, the demo's scripted model (after a first command of
 * `pause` seconds, when given), an infer phase on both engines.
 */
async function setup(second: SecondDockerd, pause?: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "velora-infer-engines-" });
  const demo = await demoScript();
  const wait = { tool_calls: [{ name: "execute_bash", arguments: { command: `sleep ${pause}` } }] };
  await writeScriptedInfer(dir, {
    name: "infer-engines",
    rows: IDS.map((id) => ({ ...demoRow, instance_id: id })),
    script: pause === undefined ? demo : [wait, ...demo],
    workers: 4,
    extra: `engines = [{ url = "${dockerEndpoint()}", capacity = 2 }, ` +
      `{ url = "${second.url}", capacity = 2 }]`,
  });
  return dir;
}

// deno-lint-ignore no-explicit-any -- rows are parsed JSON, checked field by field
async function outputRows(dir: string): Promise<Record<string, any>[]> {
  const text = await readOrEmpty(join(dir, OUT, "output.jsonl"));
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

/** Each instance's log, by id. */
async function instanceLogs(dir: string): Promise<Map<string, string>> {
  const logs = new Map<string, string>();
  for (const file of await listTree(join(dir, OUT, "infer_logs"))) {
    const id = /^instance_(.+)\.log$/.exec(file)?.[1];
    if (id) logs.set(id, await Deno.readTextFile(join(dir, OUT, "infer_logs", file)));
  }
  return logs;
}

/** The engines each instance's sandboxes ran on, in order. */
function enginesOf(log: string): string[] {
  return [...log.matchAll(/Sandbox running on (\S+)/g)].map((m) => m[1]!);
}

/** Every row there, once, without an error. */
async function assertOneGoodRowEach(dir: string) {
  const rows = await outputRows(dir);
  assert.equal(rows.length, IDS.length);
  assert.deepEqual(rows.map((r) => r.instance_id).sort(), IDS);
  for (const row of rows) {
    assert.equal(row.error, null, `${row.instance_id}: ${row.error}`);
    assert.match(row.test_result.git_patch, /^diff --git a\/durations\/__init__.py/);
  }
}

/** The containers velora process `pid` left on an engine (after waiting a while for them to go). */
async function leftBy(pid: number, list: (label: string) => Promise<string[]>): Promise<string[]> {
  const label = labelFilter(LABEL_PID, String(pid));
  await waitFor("the run's containers to go", async () => (await list(label)).length === 0, 15_000)
    .catch(() => {});
  return await list(label);
}

/** The containers with `label` on an engine, as id, state and labels (for failure messages). */
const containersOn = (engine: Docker) => async (label: string) =>
  (await engine.listContainers({ all: true, filters: { label: [label] } }))
    .map((c) => `${c.Id.slice(0, 12)} ${c.State} ${JSON.stringify(c.Labels)}`);
const onMain = containersOn(docker);

Deno.test({
  name: "infer spreads 20 instances over two engines, and retries a killed engine's on the other",
  ignore,
  async fn(t) {
    await ensureDemoImage();
    await using second = await startSecondDockerd({ images: [DEMO_IMAGE] });

    await t.step("both engines run sandboxes", async () => {
      const dir = await setup(second);
      try {
        const run = spawnVelora(["run", "p.toml"], { cwd: dir, env: ENV });
        const result = await run.done;
        assert.equal(result.code, 0, result.stderr);
        await assertOneGoodRowEach(dir);
        const used = new Map<string, number>();
        for (const log of (await instanceLogs(dir)).values()) {
          for (const engine of enginesOf(log)) used.set(engine, (used.get(engine) ?? 0) + 1);
        }
        assert.deepEqual([...used.keys()].sort(), [dockerEndpoint(), second.url].sort());
        assert.equal([...used.values()].reduce((a, b) => a + b), IDS.length, "one start each");
        assert.deepEqual(await leftBy(run.pid, onMain), []);
        assert.deepEqual(await leftBy(run.pid, containersOn(second.docker)), []);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });

    await t.step("the second ^C removes the run's containers on both engines", async () => {
      const dir = await setup(second, 60);
      try {
        const run = spawnVelora(["run", "p.toml"], { cwd: dir, env: ENV });
        const mine = labelFilter(LABEL_PID, String(run.pid));
        // Every worker's sandbox is up (two per engine): no start is under way at the ^C.
        await waitFor("four sandboxes at work", async () => {
          const logs = [...(await instanceLogs(dir)).values()];
          return logs.filter((log) => log.includes("running CodeActAgent")).length === 4;
        }, 120_000);
        assert.ok(
          (await onMain(mine)).length > 0 && (await containersOn(second.docker)(mine)).length > 0,
        );
        run.kill("SIGINT");
        await new Promise((resolve) => setTimeout(resolve, 500));
        run.kill("SIGINT");
        const result = await run.done;
        assert.equal(result.code, 130, result.stderr);
        // Sooner than the sandboxes' own owner timeout (30 s) would remove them.
        assert.deepEqual(await leftBy(run.pid, onMain), []);
        assert.deepEqual(await leftBy(run.pid, containersOn(second.docker)), []);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });

    await t.step("a killed engine's instances are retried on the other", async () => {
      // Each episode starts with a 3 s command: the kill lands while one runs on the engine.
      const dir = await setup(second, 3);
      try {
        const run = spawnVelora(["run", "p.toml"], { cwd: dir, env: ENV });
        await waitFor("a sandbox at work on the second engine", async () => {
          for (const log of (await instanceLogs(dir)).values()) {
            if (enginesOf(log).includes(second.url) && !log.includes("Done:")) return true;
          }
          return false;
        }, 120_000);
        await second.kill();
        const result = await run.done;
        assert.equal(result.code, 0, result.stderr);
        await assertOneGoodRowEach(dir);

        const logs = await instanceLogs(dir);
        const moved = [...logs].filter(([, log]) => {
          const engines = enginesOf(log);
          return engines.length > 1 && engines[0] === second.url &&
            engines.at(-1) === dockerEndpoint();
        });
        assert.ok(moved.length >= 1, "an instance of the killed engine ran again on the first");
        for (const [id, log] of moved) assert.match(log, /Retrying \(retry 1 of 5\)/, id);
        const phaseLog = result.stderr + (await readOrEmpty(join(dir, "run", "velora.log")));
        assert.match(
          phaseLog,
          new RegExp(`Docker engine ${second.url} does not answer \\(.*\\): its work goes to`),
        );
        assert.deepEqual(await leftBy(run.pid, onMain), []);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});
