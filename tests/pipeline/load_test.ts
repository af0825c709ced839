import assert from "node:assert/strict";
import { z } from "zod";
import { ConfigError, UsageError } from "../../src/errors.ts";
import { buildPlan, type LoadOptions, type Plan } from "../../src/pipeline/load.ts";
import { parseSource } from "../../src/config/source.ts";
import { PHASE_KINDS } from "../../src/phases/mod.ts";
import { definePhase, type PhaseRegistry, phaseSchema } from "../../src/pipeline/phase.ts";

const TOML = `
name = "nightly"
output_dir = "runs/\${defaults.tag}"

[defaults]
tag = "n1"
workers = 4
model = "\${env.MODEL:-gpt-4o}"

[[phases]]
name = "prepare"
kind = "shell"
command = "echo \${defaults.workers} \${env.HOME}"

[[phases]]
kind = "shell"
command = ["echo", "hi"]
timeout = 5

[phases.env]
MODEL = "\${defaults.model}"
`;

const YAML = `
name: nightly
output_dir: runs/\${defaults.tag}
defaults:
  tag: n1
  workers: 4
  model: \${env.MODEL:-gpt-4o}
phases:
  - name: prepare
    kind: shell
    command: echo \${defaults.workers} \${env.HOME}
  - kind: shell
    command: [echo, hi]
    timeout: 5
    env:
      MODEL: \${defaults.model}
`;

const ENV: Record<string, string> = { HOME: "/home/u" };

function plan(
  file: string,
  text: string,
  { registry = PHASE_KINDS, ...options }: LoadOptions & { registry?: PhaseRegistry } = {},
): Plan {
  return buildPlan(parseSource(file, text), registry, {
    env: (k) => ENV[k],
    cwd: "/work",
    ...options,
  });
}

function comparable(p: Plan) {
  const { file: _f, absFile: _a, text: _t, ...rest } = p;
  return rest;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

Deno.test("buildPlan() gives the same plan for the same pipeline in TOML and YAML", () => {
  const fromToml = plan("p.toml", TOML);
  const fromYaml = plan("p.yaml", YAML);
  assert.deepEqual(comparable(fromToml), comparable(fromYaml));
  assert.equal(fromToml.runDir, "/work/runs/n1");
  assert.deepEqual(fromToml.phases.map((p) => p.name), ["prepare", "shell"]);
  assert.equal(fromToml.phases[0]!.params.command, "echo 4 /home/u");
  assert.deepEqual(fromToml.phases[1]!.params.env, { MODEL: "gpt-4o" });
});

Deno.test("buildPlan() keeps the type of a whole-string ${defaults.x} reference", () => {
  const p = plan(
    "p.toml",
    'name="a"\noutput_dir="o"\n[defaults]\nt=7\n[[phases]]\nkind="shell"\ncommand="x"\ntimeout="${defaults.t}"\n',
  );
  assert.equal(p.phases[0]!.params.timeout, 7);
});

Deno.test("buildPlan() reads ${env.X} and falls back to ${env.X:-default}", () => {
  const text =
    'name="a"\noutput_dir="o"\n[[phases]]\nkind="shell"\ncommand="${env.MODEL:-m0} ${env.HOME}"\n';
  assert.equal(plan("p.toml", text).phases[0]!.params.command, "m0 /home/u");
  const withEnv = plan("p.toml", text, { env: (k) => ({ MODEL: "m1", HOME: "/h" })[k] });
  assert.equal(withEnv.phases[0]!.params.command, "m1 /h");
});

Deno.test("buildPlan() writes $${ as a literal ${", () => {
  const text = 'name="a"\noutput_dir="o"\n[[phases]]\nkind="shell"\ncommand="echo $${HOME}"\n';
  assert.equal(plan("p.toml", text).phases[0]!.params.command, "echo ${HOME}");
});

Deno.test("buildPlan() names the key and line of a typo'd key, with a suggestion", () => {
  const toml = configError(() => plan("p.toml", TOML.replace("timeout = 5", "timout = 5")));
  assert.equal(toml.place.path, "phases[1].timout");
  assert.equal(toml.place.line, 18);
  assert.match(
    toml.message,
    /^p\.toml:18:1: phases\[1\]\.timout: unknown key "timout" \(did you mean "timeout"\?\)$/,
  );
  const yaml = configError(() => plan("p.yaml", YAML.replace("timeout: 5", "timout: 5")));
  assert.match(yaml.message, /^p\.yaml:14:5: phases\[1\]\.timout: unknown key "timout"/);
  const top = configError(() => plan("p.toml", TOML.replace("output_dir", "outputdir")));
  assert.match(top.message, /unknown key "outputdir" \(did you mean "output_dir"\?\)|missing/);
});

Deno.test("buildPlan() names the key and line of a wrong type", () => {
  const error = configError(() => plan("p.yaml", YAML.replace("timeout: 5", "timeout: soon")));
  assert.equal(error.message, 'p.yaml:14:5: phases[1].timeout: expected number, got string "soon"');
});

Deno.test("buildPlan() reports a missing required key at its table", () => {
  const error = configError(() =>
    plan("p.toml", 'name="a"\noutput_dir="o"\n[[phases]]\nkind="shell"\n')
  );
  assert.equal(error.message, "p.toml:3:1: phases[0].command: missing: expected string or list");
});

Deno.test("parseSource() gives file:line:col for a bad TOML line", () => {
  const error = configError(() => parseSource("p.toml", 'name = "a"\noutput_dir = [1,\nx = 2\n'));
  assert.equal(error.place.line, 3);
  assert.match(error.message, /^p\.toml:3:\d+: invalid TOML: /);
  assert.equal(error.message.includes("\n"), false);
});

Deno.test("parseSource() gives file:line:col for a bad YAML indent", () => {
  const error = configError(() =>
    parseSource("p.yaml", "name: a\nphases:\n  - kind: shell\n   command: x\n")
  );
  assert.equal(error.place.line, 4);
  assert.match(error.message, /^p\.yaml:4:\d+: invalid YAML: /);
  assert.equal(error.message.includes("\n"), false);
});

Deno.test("buildPlan() lists the known kinds for an unknown kind", () => {
  const error = configError(() => plan("p.toml", TOML.replace('kind = "shell"', 'kind = "shel"')));
  assert.equal(
    error.message,
    `p.toml:12:1: phases[0].kind: unknown phase kind "shel" (did you mean "shell"?); known kinds: ${
      [...PHASE_KINDS.keys()].join(", ")
    }`,
  );
});

Deno.test("buildPlan() names an unset environment variable and where it is used", () => {
  const error = configError(() => plan("p.toml", TOML.replace("${env.HOME}", "${env.NOPE_VAR}")));
  assert.equal(error.place.path, "phases[0].command");
  assert.equal(error.place.line, 13);
  assert.match(error.message, /environment variable "NOPE_VAR" is not set/);
});

Deno.test("buildPlan() rejects an unknown reference and a defaults cycle", () => {
  const bad = configError(() => plan("p.toml", TOML.replace("${defaults.tag}", "${default.tag}")));
  assert.match(bad.message, /^p\.toml:3:1: output_dir: cannot resolve "\$\{default\.tag\}"/);
  const cycle = configError(() =>
    plan(
      "p.yaml",
      "name: a\noutput_dir: o\ndefaults:\n  a: ${defaults.b}\n  b: x${defaults.a}\nphases:\n  - kind: shell\n    command: x\n",
    )
  );
  assert.match(cycle.message, /circular reference: a -> b -> a/);
});

Deno.test("buildPlan() rejects duplicate phase names", () => {
  const error = configError(() =>
    plan("p.toml", TOML.replace('name = "prepare"', 'name = "shell"'))
  );
  assert.match(error.message, /phases\[1\]\.name: duplicate phase name "shell"/);
});

Deno.test("buildPlan() applies --set with the schema's types", () => {
  const p = plan("p.toml", TOML, {
    overrides: [
      "shell.timeout=50",
      "prepare.env.A=1",
      "defaults.workers=8",
      "output_dir=elsewhere",
    ],
  });
  assert.equal(p.phases[1]!.params.timeout, 50);
  assert.deepEqual(p.phases[0]!.params.env, { A: "1" });
  assert.equal(p.phases[0]!.params.command, "echo 8 /home/u");
  assert.equal(p.defaults.workers, 8);
  assert.equal(p.runDir, "/work/elsewhere");
  assert.deepEqual(p.overrides, [
    "shell.timeout=50",
    "prepare.env.A=1",
    "defaults.workers=8",
    "output_dir=elsewhere",
  ]);
});

Deno.test("buildPlan() turns a comma list into a list for a list key", () => {
  const registry = new Map(PHASE_KINDS);
  registry.set("infer", listPhase);
  const text = 'name="a"\noutput_dir="o"\n[[phases]]\nkind="infer"\nskip_ids=["x"]\n';
  const p = plan("p.toml", text, {
    registry,
    overrides: ["infer.eval_ids=a,b", "infer.eval_n_limit=50"],
  });
  assert.deepEqual(p.phases[0]!.params.eval_ids, ["a", "b"]);
  assert.equal(p.phases[0]!.params.eval_n_limit, 50);
});

Deno.test("buildPlan() merges SKIP_IDS into phases that take skip_ids", () => {
  const registry = new Map(PHASE_KINDS);
  registry.set("infer", listPhase);
  const text =
    'name="a"\noutput_dir="o"\n[[phases]]\nkind="infer"\nskip_ids=["x","y"]\n[[phases]]\nkind="shell"\ncommand="c"\n';
  const env = (k: string) => ({ SKIP_IDS: "y, z" })[k];
  const p = plan("p.toml", text, { registry, env });
  assert.deepEqual(p.phases[0]!.params.skip_ids, ["x", "y", "z"]);
  assert.equal("skip_ids" in p.phases[1]!.params, false);
});

Deno.test("buildPlan() explains bad --set paths and values", () => {
  assert.throws(
    () => plan("p.toml", TOML, { overrides: ["nosuch.x=1"] }),
    (e: Error) =>
      e instanceof UsageError &&
      /no phase named "nosuch" \(phases: prepare, shell\)/.test(e.message),
  );
  assert.throws(
    () => plan("p.toml", TOML, { overrides: ["shell.timout=1"] }),
    (e: Error) =>
      e instanceof UsageError &&
      /"timout" is not a key of shell \(kind "shell"\) \(did you mean "timeout"\?\)/.test(
        e.message,
      ),
  );
  assert.throws(
    () => plan("p.toml", TOML, { overrides: ["shell.timeout=soon"] }),
    (e: Error) =>
      e instanceof UsageError &&
      e.message === 'Cannot apply --set "shell.timeout=soon": expected number, got string "soon"',
  );
  assert.throws(
    () => plan("p.toml", TOML, { overrides: ["shell"] }),
    (e: Error) => e instanceof UsageError && /expected <phase>\.<key>=<value>/.test(e.message),
  );
});

Deno.test("buildPlan() fingerprints change only with the phase's own parameters", () => {
  const a = plan("p.toml", TOML);
  const b = plan("p.toml", TOML, { overrides: ["shell.timeout=9"] });
  assert.deepEqual(a.phases[0]!.fingerprint, b.phases[0]!.fingerprint);
  assert.notEqual(a.phases[1]!.fingerprint.timeout, b.phases[1]!.fingerprint.timeout);
  assert.equal(a.phases[1]!.fingerprint.command, b.phases[1]!.fingerprint.command);
});

const listPhase = definePhase({
  kind: "infer",
  description: "test kind with list keys",
  schema: phaseSchema("infer", {
    skip_ids: z.array(z.string()).default([]),
    eval_ids: z.array(z.string()).optional(),
    eval_n_limit: z.number().int().positive().optional(),
  }),
  run: () => Promise.resolve({}),
});
