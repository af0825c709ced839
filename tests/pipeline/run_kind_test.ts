import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { UsageError } from "../../src/errors.ts";
import { definePhase, type PhaseContext, phaseSchema } from "../../src/pipeline/phase.ts";
import { runKind } from "../../src/pipeline/run_kind.ts";
import { velora } from "../support/velora.ts";

const seen: { params: Record<string, unknown>; ctx: PhaseContext }[] = [];
const probe = definePhase({
  kind: "probe",
  description: "Records what it was given",
  schema: phaseSchema("probe", {
    max_items: z.number().int().positive().default(3),
    skip_ids: z.array(z.string()).default([]),
    low: z.number().optional(),
    high: z.number().optional(),
  }).superRefine((p, ctx) => {
    if (p.low !== undefined && p.high !== undefined && p.low > p.high) {
      ctx.addIssue({ code: "custom", path: ["low"], message: "more than `high`" });
    }
  }),
  run(params, ctx) {
    seen.push({ params, ctx });
    ctx.log("working");
    ctx.result("done");
    return Promise.resolve({ items: params.max_items });
  },
});

function io(lines: string[], labels: Record<string, string> = {}) {
  return {
    signal: new AbortController().signal,
    labels,
    log: (line: string) => lines.push(`log ${line}`),
    result: (line: string) => lines.push(`result ${line}`),
    env: (name: string) => (name === "SKIP_IDS" ? "a, b" : undefined),
  };
}

Deno.test("runKind() fills the schema's defaults, merges SKIP_IDS and runs without a run", async () => {
  const lines: string[] = [];
  seen.length = 0;
  const summary = await runKind(probe, { max_items: undefined, skip_ids: ["c"] }, io(lines));
  assert.deepEqual(summary, { items: 3 });
  assert.deepEqual(seen[0]!.params, { kind: "probe", max_items: 3, skip_ids: ["c", "a", "b"] });
  assert.equal(seen[0]!.ctx.runDir, undefined);
  assert.equal(seen[0]!.ctx.logFile, undefined);
  assert.deepEqual(lines, ["log working", "result done"]);
});

Deno.test("runKind() names the flag of a bad value, and renders keys in messages as flags", async () => {
  const lines: string[] = [];
  await assert.rejects(
    runKind(probe, { max_items: 0 }, io(lines, { max_items: "--max" })),
    (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /^Cannot use --max 0: /);
      return true;
    },
  );
  await assert.rejects(
    runKind(probe, { low: 5, high: 2 }, io(lines)),
    new UsageError("Cannot use --low 5: more than --high"),
  );
  await assert.rejects(runKind(probe, { nope: 1 }, io(lines)), /unknown key/);
  assert.deepEqual(lines, [], "nothing ran");
});

Deno.test("export --min-turns above --max-turns: the command and the phase give the same answer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-parity-" });
  try {
    await Deno.mkdir(join(dir, "out"));
    await Deno.writeTextFile(join(dir, "out", "output.jsonl"), "");
    await Deno.writeTextFile(
      join(dir, "p.toml"),
      `name = "x"\noutput_dir = "run"\n\n[[phases]]\nkind = "export"\nformat = "openai"\n` +
        `output_dir = "out"\nmin_turns = 3\nmax_turns = 1\n`,
    );
    const command = await velora(
      ["export", "out", "--format", "openai", "--min-turns", "3", "--max-turns", "1"],
      { cwd: dir },
    );
    const phase = await velora(["run", "p.toml"], { cwd: dir });
    assert.equal(command.code, 2, command.stderr);
    assert.equal(phase.code, 2, phase.stderr);
    assert.equal(
      command.stderr,
      "velora: Cannot use --min-turns 3: more than --max-turns (1): nothing can match\n",
    );
    assert.equal(
      phase.stderr,
      'velora: p.toml:8:1: phases[0].min_turns: more than "max_turns" (1): nothing can match\n',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("collect: --prs with --since is refused by the command and by the phase alike", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-parity-" });
  try {
    await Deno.writeTextFile(
      join(dir, "p.toml"),
      `name = "x"\noutput_dir = "run"\n\n[[phases]]\nkind = "collect"\nrepo = "acme/widgets"\n` +
        `prs = [1]\nsince = "2024-01-01"\n`,
    );
    const command = await velora(
      ["collect", "acme/widgets", "--prs", "1", "--since", "2024-01-01"],
      { cwd: dir },
    );
    const phase = await velora(["run", "p.toml"], { cwd: dir });
    assert.equal(command.code, 2, command.stderr);
    assert.equal(phase.code, 2, phase.stderr);
    assert.equal(
      command.stderr,
      "velora: --since or --until cannot be used with --prs: give one or the other\n",
    );
    assert.match(
      phase.stderr,
      /^velora: p\.toml:4:1: phases\[0\]: "since" or "until" cannot be used with "prs": give one or the other\n$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
