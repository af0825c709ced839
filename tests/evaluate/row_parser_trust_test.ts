/**
 * A dataset row's `cmd:` parser is data, not code: `velora validate`, `evaluate` and `derive` run
 * it inside the evaluation container, and on this machine only with `--trust-row-parsers`.
 *
 * Each parser command first creates a marker at a path of this machine's temporary folder: the
 * marker shows up here only when the command ran here.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LABEL_INSTANCE } from "../../src/docker/labels.ts";
import { ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { velora } from "../support/velora.ts";
import { exists } from "../../src/fs.ts";

const ignore = await ignoreWithoutDocker();
const docker = testDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));

/** pytest -rA summary lines → `{"name": "PASSED", ...}`, with the image's python3. */
const PYTEST_TO_JSON =
  `python3 -c 'import json, re, sys; print(json.dumps({m.group(2): m.group(1) ` +
  `for m in re.finditer(r"^(PASSED|FAILED|ERROR|SKIPPED) (\\S+)", sys.stdin.read(), re.M)}))'`;

/** A parser that touches `marker` (creating its folder), then parses the pytest log. */
function markingParser(marker: string): string {
  return `cmd:mkdir -p ${dirOf(marker)} && touch ${marker}; ${PYTEST_TO_JSON}`;
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

function row(id: string, parser: string): Record<string, unknown> {
  return { ...demoRow, instance_id: id, test_output_parser: parser };
}

async function jsonl(path: string, rows: unknown[]): Promise<void> {
  await Deno.writeTextFile(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

async function report(dir: string, id: string) {
  return JSON.parse(await Deno.readTextFile(join(dir, "eval_outputs", id, "report.json")))[id];
}

async function containersLeft(prefix: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [LABEL_INSTANCE] } });
  return list.filter((c) => c.Labels[LABEL_INSTANCE]?.startsWith(prefix)).length;
}

async function withDir(fn: (dir: string, id: string) => Promise<void>) {
  await ensureDemoImage();
  const dir = await Deno.makeTempDir({ prefix: "velora-row-parser-" });
  const id = `row-parser-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await fn(dir, id);
    assert.equal(await containersLeft(id), 0, "no container is left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "velora validate runs a row's cmd: parser in the container; --trust-row-parsers on the host",
  ignore,
  async fn() {
    await withDir(async (dir, id) => {
      const marker = join(dir, "markers", "validate");
      await jsonl(join(dir, "tasks.jsonl"), [row(id, markingParser(marker))]);
      const args = ["validate", "tasks.jsonl", "--timeout", "120", "--output-dir", "out"];

      const inside = await velora(args, { cwd: dir });
      assert.equal(inside.code, 0, inside.stdout + inside.stderr);
      assert.equal(await exists(marker), false, "the row's command ran on this machine");
      // The parser's answer decided both runs: the gold patch resolves, the base commit does not.
      assert.match(inside.stderr, new RegExp(`^${id}: ok$`, "m"));
      assert.match(
        await Deno.readTextFile(join(dir, "out", "gold", id, "parser.sh")),
        /touch .*markers\/validate/,
      );

      const trusted = await velora([...args, "--trust-row-parsers"], { cwd: dir });
      assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
      assert.equal(await exists(marker), true, "--trust-row-parsers runs it on this machine");
    });
  },
});

Deno.test({
  name:
    "velora evaluate runs a row's cmd: parser in the container (cmd:touch leaves no marker here); --trust-row-parsers on the host",
  ignore,
  async fn() {
    await withDir(async (dir, id) => {
      const markers = join(dir, "markers");
      const ids = { parses: `${id}-parses`, touch: `${id}-touch`, unknown: `${id}-unknown` };
      const trajectory = (instance: Record<string, unknown>) => ({
        instance_id: instance.instance_id,
        test_result: { git_patch: demoRow.patch },
        instance,
      });
      await Deno.mkdir(markers);
      await jsonl(join(dir, "output.jsonl"), [
        trajectory(row(ids.parses, markingParser(join(markers, "parses")))),
        trajectory(row(ids.touch, `cmd:touch ${join(markers, "touch")}`)),
        trajectory(row(ids.unknown, "parsers/our_own_parser.py")),
      ]);

      const inside = await velora(
        ["evaluate", "--trajectory-file", "output.jsonl", "--timeout", "120"],
        { cwd: dir },
      );
      assert.equal(inside.code, 0, inside.stdout + inside.stderr);
      assert.deepEqual(await Array.fromAsync(Deno.readDir(markers)), [], "ran on this machine");
      const parses = await report(dir, ids.parses);
      assert.equal(parses.resolved, true, "the in-container parser's answer gives the verdict");
      const touch = await report(dir, ids.touch);
      assert.equal(touch.category, "error_eval");
      assert.match(touch.reason, /^Parser command "touch .*" exited with 1 \(stderr: .*touch/);
      const unknown = await report(dir, ids.unknown);
      assert.equal(unknown.category, "error_eval");
      assert.match(unknown.reason, /Unknown test output parser "parsers\/our_own_parser\.py"/);

      await jsonl(join(dir, "trusted.jsonl"), [
        trajectory(row(ids.touch, `cmd:touch ${join(markers, "touch")}`)),
      ]);
      const trusted = await velora(
        ["evaluate", "--trajectory-file", "trusted.jsonl", "--trust-row-parsers", "--force"],
        { cwd: dir },
      );
      assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
      assert.equal(await exists(join(markers, "touch")), true, "trusted: it runs on this machine");
      assert.match(
        (await report(dir, ids.touch)).reason,
        /^Parser command "touch .*" did not print a JSON object$/,
      );
    });
  },
});

Deno.test({
  name: "velora derive runs a row's cmd: parser in the container and derives from its answer",
  ignore,
  async fn() {
    await withDir(async (dir, id) => {
      const marker = join(dir, "markers", "derive");
      await jsonl(join(dir, "tasks.jsonl"), [
        row(id, markingParser(marker)),
      ]);
      const result = await velora(["derive", "tasks.jsonl", "--timeout", "120"], { cwd: dir });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(await exists(marker), false, "the row's command ran on this machine");
      const derived = JSON.parse(await Deno.readTextFile(join(dir, "tasks.derived.jsonl")));
      assert.equal(derived.usable, true, derived.unusable_reason);
      assert.deepEqual(derived.FAIL_TO_PASS, ["tests/test_durations.py::test_combined_units"]);
    });
  },
});
