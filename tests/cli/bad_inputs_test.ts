/**
 * A corpus of bad inputs to `velora run` (and the commands that run one phase): each must exit 2
 * with one line that names the file or flag and the key, print no stack trace, and write nothing
 * (no run directory, no state file). The inputs are checked before any container could start, so
 * these tests need no Docker engine.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { listTree, velora } from "../support/velora.ts";

const ROW = {
  instance_id: "demo__durations-1",
  repo: "demo/durations",
  base_commit: "0123456789abcdef",
  problem_statement: "parse_duration is wrong",
  version: "0.1",
  test_command: "pytest -rA",
  test_output_parser: "pytest",
  FAIL_TO_PASS: ["tests/test_durations.py::test_combined_units"],
  PASS_TO_PASS: [],
};
const DATASET = `${JSON.stringify(ROW)}\n${
  JSON.stringify({ ...ROW, instance_id: "demo__durations-2" })
}\n`;
const CONFIG = '[llm.fixture]\nmodel = "gpt-4o"\napi_key = "sk-test"\n';

/** A pipeline with one infer phase; `extra` lines go into the phase table. */
const infer = (extra = "", top = "") =>
  `name = "bad"
output_dir = "run"
${top}
[[phases]]
kind = "infer"
dataset = "tasks.jsonl"
config_file = "config.toml"
llm_config = "llm.fixture"
${extra}
`;

const SHELL = `name = "bad"
output_dir = "run"

[[phases]]
name = "first"
kind = "shell"
command = "echo ran > ran.txt"
`;

interface Case {
  what: string;
  /** File name → content; `p.toml` is the pipeline unless `args` says otherwise. */
  files: Record<string, string>;
  args?: string[];
  env?: Record<string, string>;
  line: RegExp;
}

const withFiles = (pipeline: string, more: Record<string, string> = {}) => ({
  "p.toml": pipeline,
  "tasks.jsonl": DATASET,
  "config.toml": CONFIG,
  ...more,
});

const CASES: Case[] = [
  // The pipeline file itself.
  { what: "a missing pipeline file", files: {}, args: ["run", "nope.toml"], line: /nope\.toml/ },
  {
    what: "a pipeline with an unknown extension",
    files: { "p.json": "{}" },
    args: ["run", "p.json"],
    line: /p\.json.*(toml|yaml)/i,
  },
  {
    what: "invalid TOML",
    files: withFiles(infer().replace('kind = "infer"', "kind = infer")),
    line: /p\.toml:\d+:\d+: invalid TOML/,
  },
  {
    what: "invalid YAML",
    files: { "p.yaml": "name: bad\nphases:\n  - kind: shell\n   command: x\n" },
    args: ["run", "p.yaml"],
    line: /p\.yaml:\d+:\d+: invalid YAML/,
  },
  { what: "no name", files: withFiles(infer().replace('name = "bad"\n', "")), line: /name/ },
  {
    what: "no phases",
    files: { "p.toml": 'name = "bad"\noutput_dir = "run"\n' },
    line: /p\.toml.*phases/,
  },
  {
    what: "an unknown top-level key",
    files: withFiles(infer("", "workers = 3\n")),
    line: /p\.toml:\d+:\d+: workers: unknown key/,
  },
  {
    what: "an unknown phase key",
    files: withFiles(infer("num_wrokers = 2")),
    line: /p\.toml:\d+:\d+: phases\[0\]\.num_wrokers: unknown key .*num_workers/,
  },
  {
    what: "an unknown phase kind",
    files: withFiles(infer().replace('kind = "infer"', 'kind = "infr"')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.kind: unknown phase kind "infr"/,
  },
  {
    what: "a string where a number is expected",
    files: withFiles(infer('num_workers = "four"')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.num_workers: expected number/,
  },
  {
    what: "zero workers",
    files: withFiles(infer("num_workers = 0")),
    line: /p\.toml:\d+:\d+: phases\[0\]\.num_workers: /,
  },
  {
    what: "a negative eval_n_limit",
    files: withFiles(infer("eval_n_limit = -1")),
    line: /p\.toml:\d+:\d+: phases\[0\]\.eval_n_limit: /,
  },
  {
    what: "a fractional max_iterations",
    files: withFiles(infer("max_iterations = 2.5")),
    line: /p\.toml:\d+:\d+: phases\[0\]\.max_iterations: /,
  },
  {
    what: "an unknown agent class",
    files: withFiles(infer('agent_cls = "CodeActAgen"')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.agent_cls: /,
  },
  {
    what: "a bad slice",
    files: withFiles(infer('slice = "a:b"')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.slice: expected start:stop/,
  },
  {
    what: "a filter that is not a regular expression",
    files: withFiles(infer('filter = "demo(["')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.filter: /,
  },
  {
    what: "a bad sample",
    files: withFiles(infer('sample = "random:x"')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.sample: /,
  },
  {
    what: "two phases with one name",
    files: { "p.toml": SHELL + SHELL.slice(SHELL.indexOf("[[phases]]")) },
    line: /p\.toml:9:1: phases\[1\]\.name: duplicate phase name "first"/,
  },
  {
    what: "a phase name with a space",
    files: { "p.toml": SHELL.replace('name = "first"', 'name = "my phase"') },
    line: /p\.toml:\d+:\d+: phases\[0\]\.name: /,
  },
  {
    what: "a negative shell timeout",
    files: { "p.toml": `${SHELL}timeout = -5\n` },
    line: /p\.toml:\d+:\d+: phases\[0\]\.timeout: /,
  },
  // References.
  {
    what: "an unset environment variable",
    files: withFiles(infer('eval_note = "${env.VELORA_TEST_SURELY_UNSET}"')),
    line:
      /p\.toml:\d+:\d+: phases\[0\]\.eval_note: environment variable "VELORA_TEST_SURELY_UNSET"/,
  },
  {
    what: "an unterminated environment reference",
    files: withFiles(infer('eval_note = "${env.FOO"')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.eval_note: "\$\{env\.FOO" is not closed/,
  },
  {
    what: "an undefined default",
    files: withFiles(infer('eval_note = "${defaults.note}"')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.eval_note: "\$\{defaults\.note\}" is not defined/,
  },
  {
    what: "a reference of an unknown kind",
    files: withFiles(infer('eval_note = "${note}"')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.eval_note: cannot resolve "\$\{note\}"/,
  },
  {
    what: "a bad environment variable name",
    files: withFiles(infer('eval_note = "${env.1X}"')),
    line: /p\.toml:\d+:\d+: phases\[0\]\.eval_note: .*not a valid environment variable name/,
  },
  {
    what: "circular defaults",
    files: withFiles(infer("", '[defaults]\na = "${defaults.b}"\nb = "${defaults.a}"\n')),
    line: /p\.toml.*circular reference/,
  },
  // Flags.
  {
    what: "--set of an unknown phase",
    files: withFiles(infer()),
    args: ["run", "p.toml", "--set", "infr.num_workers=2"],
    line: /--set.*no phase named "infr"/i,
  },
  {
    what: "--set of an unknown key",
    files: withFiles(infer()),
    args: ["run", "p.toml", "--set", "infer.num_wrokers=2"],
    line: /num_wrokers/,
  },
  {
    what: "--set with a value of the wrong type",
    files: withFiles(infer()),
    args: ["run", "p.toml", "--set", "infer.num_workers=many"],
    line: /--set "infer\.num_workers=many": expected number/,
  },
  {
    what: "--set without =",
    files: withFiles(infer()),
    args: ["run", "p.toml", "--set", "infer.num_workers"],
    line: /--set "infer\.num_workers"/,
  },
  {
    what: "--only of an unknown phase",
    files: withFiles(infer()),
    args: ["run", "p.toml", "--only", "infre"],
    line: /No phase named "infre" \(did you mean "infer"\?\)/,
  },
  {
    what: "--from of an unknown phase",
    files: withFiles(infer()),
    args: ["run", "p.toml", "--from", "infre"],
    line: /No phase named "infre"/,
  },
  {
    what: "--rerun of an unknown phase",
    files: withFiles(infer()),
    args: ["run", "p.toml", "--rerun", "infre"],
    line: /No phase named "infre"/,
  },
  // The LLM config file.
  {
    what: "an empty config file",
    files: withFiles(infer(), { "config.toml": "" }),
    args: ["run", "p.toml"],
    line: /config\.toml.*\[llm\.fixture\]|llm\.fixture.*config\.toml/,
  },
  {
    what: "a config file that does not exist",
    files: withFiles(infer().replace('config_file = "config.toml"', 'config_file = "nope.toml"')),
    line: /nope\.toml/,
  },
  {
    what: "a missing [llm.x] section",
    files: withFiles(infer().replace('llm_config = "llm.fixture"', 'llm_config = "llm.other"')),
    line: /config\.toml.*llm\.other/,
  },
  {
    what: "invalid TOML in the config file",
    files: withFiles(infer(), { "config.toml": "[llm.fixture\nmodel = 1\n" }),
    line: /config\.toml:\d+:\d+/,
  },
  {
    what: "an LLM section with an unknown key",
    files: withFiles(infer(), {
      "config.toml": '[llm.fixture]\nmodel = "gpt-4o"\ntemprature = 0\n',
    }),
    line: /config\.toml:\d+:\d+: .*temprature/,
  },
  // The dataset.
  {
    what: "a dataset that does not exist",
    files: withFiles(infer().replace('dataset = "tasks.jsonl"', 'dataset = "nope.jsonl"')),
    line: /nope\.jsonl: cannot read the file: no such file/,
  },
  {
    what: "an empty dataset",
    files: withFiles(infer(), { "tasks.jsonl": "" }),
    line: /tasks\.jsonl: the dataset has no rows/,
  },
  {
    what: "a dataset line that is not JSON",
    files: withFiles(infer(), { "tasks.jsonl": `${JSON.stringify(ROW)}\n{"instance_id": \n` }),
    line: /tasks\.jsonl:2: not valid JSON/,
  },
  {
    what: "a numeric instance_id",
    files: withFiles(infer(), {
      "tasks.jsonl": `${JSON.stringify({ ...ROW, instance_id: 123 })}\n`,
    }),
    line: /tasks\.jsonl:1: "instance_id" must be a non-empty string, got number 123/,
  },
  {
    what: "a duplicate instance_id",
    files: withFiles(infer(), {
      "tasks.jsonl": `${JSON.stringify(ROW)}\n${JSON.stringify(ROW)}\n`,
    }),
    line: /tasks\.jsonl:2: duplicate instance_id "demo__durations-1"/,
  },
  {
    what: "a row of no known format",
    files: withFiles(infer(), { "tasks.jsonl": '{"id": "x"}\n' }),
    line: /tasks\.jsonl:1: not a Velora, Multi-SWE-bench or SWE-bench row/,
  },
  {
    what: "a dataset line over the size limit",
    files: withFiles(infer(), {
      "tasks.jsonl": `${
        JSON.stringify({ ...ROW, problem_statement: "x".repeat(33 * 1024 * 1024) })
      }\n`,
    }),
    line: /tasks\.jsonl:1: the line is longer than 32 Mi characters/,
  },
  {
    what: "a selection that leaves no instance",
    files: withFiles(infer('eval_ids = ["demo__durations-9"]')),
    line: /No instances selected from tasks\.jsonl/,
  },
  {
    what: "a missing instruction template",
    files: withFiles(infer('instruction_template = "prompt.j2"')),
    line: /instruction_template: cannot read "prompt\.j2": no such file/,
  },
  // Other phase kinds.
  {
    what: "an evaluate phase over a trajectory file that does not exist",
    files: {
      "p.toml":
        'name = "bad"\noutput_dir = "run"\n\n[[phases]]\nkind = "evaluate"\ntrajectory_file = "out.jsonl"\n',
    },
    line: /trajectory_file: cannot read "out\.jsonl": no such file/,
  },
  {
    what: "an export phase with min_turns above max_turns",
    files: {
      "p.toml":
        'name = "bad"\noutput_dir = "run"\n\n[[phases]]\nkind = "export"\nformat = "openai"\nmin_turns = 5\nmax_turns = 2\n',
    },
    line: /p\.toml:\d+:\d+: phases\[0\]\.min_turns: more than "max_turns"/,
  },
  {
    what: "velora infer with a dataset that does not exist",
    files: { "config.toml": CONFIG },
    args: ["infer", "--dataset", "nope.jsonl", "--llm-config", "llm.fixture"],
    line: /nope\.jsonl: cannot read the file: no such file/,
  },
  {
    what: "velora infer with an empty dataset",
    files: { "config.toml": CONFIG, "tasks.jsonl": "\n" },
    args: ["infer", "--dataset", "tasks.jsonl", "--llm-config", "llm.fixture"],
    line: /tasks\.jsonl: the dataset has no rows/,
  },
];

for (const c of CASES) {
  Deno.test(`bad input: ${c.what} → exit 2, one line, nothing written`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "velora-bad-input-" });
    try {
      for (const [name, text] of Object.entries(c.files)) {
        await Deno.writeTextFile(join(dir, name), text);
      }
      const result = await velora(c.args ?? ["run", "p.toml"], {
        cwd: dir,
        env: { RUNTIME_CONTAINER_IMAGE: "velora-test/none:latest", ...c.env },
      });
      const lines = result.stderr.trimEnd().split("\n");
      assert.equal(result.code, 2, result.stderr);
      assert.equal(lines.length, 1, `one line expected:\n${result.stderr}`);
      assert.match(lines[0]!, c.line);
      assert.doesNotMatch(result.stderr, /\s+at /, "no stack trace");
      assert.deepEqual(await listTree(dir), Object.keys(c.files).sort(), "nothing written");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("the bad-input corpus has at least 40 cases", () => {
  assert.ok(CASES.length >= 40, `${CASES.length} cases`);
});
