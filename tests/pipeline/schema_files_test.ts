/**
 * The shipped pipelines validate against `velora schema` as written (before `${...}` references are
 * resolved), so an editor that uses the schema marks nothing red in them.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Ajv2020 } from "npm:ajv@8.17.1/dist/2020.js";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { PHASE_KINDS } from "../../src/phases/mod.ts";
import { pipelineJsonSchema } from "../../src/pipeline/schema.ts";

const DIR = new URL("../../pipelines/", import.meta.url);
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(
  pipelineJsonSchema(PHASE_KINDS),
);

function errors(document: unknown): string {
  return validate(document)
    ? ""
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join("; ");
}

Deno.test("every file under pipelines/ validates against velora schema as written", async () => {
  const names: string[] = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (/\.(toml|ya?ml)$/.test(entry.name)) names.push(entry.name);
  }
  assert.ok(names.length >= 4, names.join(", "));
  for (const name of names) {
    const text = await Deno.readTextFile(new URL(name, DIR));
    const document = name.endsWith(".toml") ? parseToml(text) : parseYaml(text);
    assert.equal(errors(document), "", name);
  }
});

Deno.test("the schema takes a whole ${...} reference for a typed value, and still catches mistakes", () => {
  const pipeline = (phase: Record<string, unknown>) => ({
    name: "p",
    output_dir: "run",
    phases: [{ kind: "infer", dataset: "tasks.jsonl", ...phase }],
  });
  assert.equal(errors(pipeline({ num_workers: "${defaults.num_workers}" })), "");
  assert.equal(errors(pipeline({ retry_errors: "${env.RETRY:-false}" })), "");
  assert.match(errors(pipeline({ num_workers: "four" })), /num_workers/);
  assert.match(errors(pipeline({ num_wrokers: 2 })), /additional/i);
  assert.match(errors(pipeline({ num_workers: "x ${defaults.n}" })), /num_workers/);
  assert.match(errors({ ...pipeline({}), phases: [{ kind: "infr" }] }), /kind|const|oneOf/);
});
