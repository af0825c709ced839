/**
 * An infer run of the scripted model in a folder, as the infer tests write it: `tasks.jsonl`,
 * `script.json` (the demo's script unless given), `config.toml` with `[llm.fixture]` and `p.toml`
 * with one infer phase (20 steps, no retry delay) plus `extra` keys.
 *
 * @module
 */
import { join } from "node:path";
import { REPO_ROOT } from "./demo_image.ts";

/** What {@linkcode writeScriptedInfer} writes. */
export interface ScriptedInfer {
  /** The pipeline's `name`. */
  name: string;
  rows: unknown[];
  /** The scripted model's turns; default data/demo/scripted_model.json. */
  script?: unknown[];
  /** `num_workers`, when set. */
  workers?: number;
  /** More keys of the infer phase (TOML lines). */
  extra?: string;
}

/** Writes the run's files into `dir`. */
export async function writeScriptedInfer(dir: string, run: ScriptedInfer): Promise<void> {
  await Deno.writeTextFile(
    join(dir, "tasks.jsonl"),
    run.rows.map((row) => JSON.stringify(row)).join("\n") + "\n",
  );
  const script = run.script ?? await demoScript();
  await Deno.writeTextFile(join(dir, "script.json"), JSON.stringify(script));
  await Deno.writeTextFile(
    join(dir, "config.toml"),
    '[llm.fixture]\nmodel = "scripted:script.json"\n',
  );
  await Deno.writeTextFile(
    join(dir, "p.toml"),
    `name = "${run.name}"
output_dir = "run"

[[phases]]
kind = "infer"
dataset = "tasks.jsonl"
config_file = "config.toml"
llm_config = "llm.fixture"
${run.workers === undefined ? "" : `num_workers = ${run.workers}\n`}max_iterations = 20
retry_delay = 0
${run.extra ?? ""}
`,
  );
}

/** The demo's scripted model turns (data/demo/scripted_model.json). */
export async function demoScript(): Promise<unknown[]> {
  return JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/scripted_model.json`));
}
