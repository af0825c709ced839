/**
 * The conventions users expect of a command-line tool: `--version`, shell completions, JSON
 * status for scripts, and a `--dry-run` that checks what a run would check.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { listTree, velora } from "../support/velora.ts";

const PIPELINE = `name = "conv"
output_dir = "run"

[[phases]]
name = "first"
kind = "shell"
command = "echo ran > ran.txt"
`;

Deno.test("velora --version prints what velora version prints", async () => {
  const long = await velora(["--version"]);
  const command = await velora(["version"]);
  assert.equal(long.code, 0, long.stderr);
  assert.match(long.stdout, /^velora \d+\.\d+\.\d+ \(deno /);
  assert.equal(long.stdout, command.stdout);
  assert.equal((await velora(["-V"])).stdout, command.stdout);
});

Deno.test("velora completions bash completes commands, subcommands and each command's flags", async () => {
  const script = await velora(["completions", "bash"]);
  assert.equal(script.code, 0, script.stderr);
  const dir = await Deno.makeTempDir({ prefix: "velora-completions-" });
  try {
    await Deno.writeTextFile(join(dir, "velora.bash"), script.stdout);
    const complete = async (...words: string[]) => {
      const out = await new Deno.Command("bash", {
        args: [
          "-c",
          `source velora.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _velora; ` +
          'printf "%s\\n" "${COMPREPLY[@]}"',
          "bash",
          "velora",
          ...words,
        ],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout).trim().split("\n").sort();
    };
    assert.deepEqual(await complete("re"), ["report"]);
    assert.deepEqual(await complete("run", "--dr"), ["--dry-run"]);
    assert.deepEqual(await complete("images", "l"), ["load"]);
    assert.deepEqual(await complete("status", "--j"), ["--json"]);
    assert.deepEqual(await complete("run", "p.toml", "--only", "x", "--re"), [
      "--rerun",
      "--restart",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("velora completions zsh and fish print scripts; another shell is a usage error", async () => {
  const zsh = await velora(["completions", "zsh"]);
  assert.equal(zsh.code, 0, zsh.stderr);
  assert.match(zsh.stdout, /^#compdef velora\n/);
  const fish = await velora(["completions", "fish"]);
  assert.equal(fish.code, 0, fish.stderr);
  assert.match(fish.stdout, /^complete -c velora -n '__fish_use_subcommand' -a run -d /m);
  assert.match(fish.stdout, /__fish_seen_subcommand_from run' -l dry-run$/m);
  const bad = await velora(["completions", "fis"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^velora: Unknown shell "fis" \(did you mean "fish"\?\)/);
});

Deno.test("velora status --json: a pipeline's phases before and after a run, and an output directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-status-json-" });
  try {
    await Deno.writeTextFile(join(dir, "p.toml"), PIPELINE);
    const before = await velora(["status", "p.toml", "--json"], { cwd: dir });
    assert.equal(before.code, 0, before.stderr);
    const pending = JSON.parse(before.stdout);
    assert.equal(pending.name, "conv");
    assert.equal(pending.driver_pid, null);
    assert.deepEqual(pending.phases.map((p: { status: string }) => p.status), ["pending"]);

    assert.equal((await velora(["run", "p.toml"], { cwd: dir })).code, 0);
    const after = JSON.parse((await velora(["status", "p.toml", "--json"], { cwd: dir })).stdout);
    assert.equal(after.phases[0].status, "done");
    assert.equal(after.phases[0].attempts, 1);
    assert.ok(after.phases[0].ended_at);
    const byDir = JSON.parse((await velora(["status", "run", "--json"], { cwd: dir })).stdout);
    assert.deepEqual(byDir.phases, after.phases);

    const out = join(dir, "outputs");
    await Deno.mkdir(out);
    await Deno.writeTextFile(
      join(out, "output.jsonl"),
      JSON.stringify({ instance_id: "a", test_result: { git_patch: "" }, history: [] }) + "\n",
    );
    const summary = await velora(["status", out, "--json"]);
    assert.equal(summary.code, 0, summary.stderr);
    const parsed = JSON.parse(summary.stdout);
    assert.equal(parsed.outputs.length, 1);
    assert.equal(parsed.outputs[0].dir, out);
    assert.equal(parsed.outputs[0].summary.instances, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("velora run --dry-run refuses unknown phase names and says what infer selects, writing nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-dry-run-" });
  try {
    const row = (id: string) =>
      JSON.stringify({
        instance_id: id,
        repo: "demo/durations",
        base_commit: "0123",
        problem_statement: "x",
        version: "0.1",
      });
    await Deno.writeTextFile(
      join(dir, "tasks.jsonl"),
      `${row("a-1")}\n${row("a-2")}\n${row("b-1")}\n`,
    );
    await Deno.writeTextFile(
      join(dir, "config.toml"),
      '[llm.m]\nmodel = "gpt-4o"\napi_key = "placeholder"\n',
    );
    await Deno.writeTextFile(
      join(dir, "p.toml"),
      `name = "dry"\noutput_dir = "run"\n\n[[phases]]\nkind = "infer"\ndataset = "tasks.jsonl"\n` +
        `config_file = "config.toml"\nllm_config = "llm.m"\nfilter = "a-"\n`,
    );
    for (const flag of ["--only", "--from", "--rerun"]) {
      const refused = await velora(["run", "p.toml", "--dry-run", flag, "infre"], { cwd: dir });
      assert.equal(refused.code, 2, refused.stderr);
      assert.equal(
        refused.stderr.trimEnd(),
        'velora: No phase named "infre" (did you mean "infer"?); phases: infer',
      );
    }
    const dry = await velora(["run", "p.toml", "--dry-run"], { cwd: dir });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /checked: 2 of 3 instances selected from tasks\.jsonl/);
    await Deno.writeTextFile(join(dir, "tasks.jsonl"), "");
    const empty = await velora(["run", "p.toml", "--dry-run"], { cwd: dir });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /tasks\.jsonl: the dataset has no rows/);
    assert.deepEqual(await listTree(dir), ["config.toml", "p.toml", "tasks.jsonl"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("one flag name per concept; the older names still work, hidden from --help", async () => {
  const help = (await velora(["infer", "--help"])).stdout;
  for (
    const flag of [
      "--workers",
      "--output",
      "--instance-ids",
      "--skip-ids",
      "--filter",
      "--slice",
      "--sample",
      "--limit",
    ]
  ) {
    assert.match(help, new RegExp(`^\\s+${flag} `, "m"), flag);
  }
  assert.doesNotMatch(help, /^\s+--eval-num-workers /m);
  for (const command of [["evaluate"], ["validate", "x"], ["derive", "x"], ["images", "load"]]) {
    assert.match((await velora([...command, "--help"])).stdout, /^\s+--workers <n> /m, command[0]);
  }
  for (const command of [["evaluate"], ["validate", "x"], ["report", "x"], ["export", "x"]]) {
    assert.match((await velora([...command, "--help"])).stdout, /--output </, command[0]);
  }
  // run_infer.py's names reach the same setting (and its checks).
  const old = await velora(["infer", "--dataset", "d.jsonl", "--eval-num-workers", "0"]);
  assert.equal(old.code, 2);
  assert.match(old.stderr, /--eval-num-workers.*expected a positive integer, got "0"/);
  const bad = await velora([
    "evaluate",
    "--trajectory-file",
    "out.jsonl",
    "--filter",
    "demo([",
  ]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^velora: Cannot use --filter "demo\(\[": not a regular expression/);
  const slice = await velora(["infer", "--dataset", "d.jsonl", "--slice", "a:b"]);
  assert.equal(slice.code, 2);
  assert.match(slice.stderr, /^velora: Cannot use --slice "a:b": expected start:stop/);
});
