/**
 * How `velora sandbox` runs one command (`CommandRunner`), against a fake sandbox: it polls
 * until the command ends, shows output as it comes, forwards ^C between polls as `C-c`
 * (`is_input`), applies `--timeout`, and never waits on a sandbox that stopped answering.
 */
import assert from "node:assert/strict";
import { CommandRunner, POLL_SECONDS, type RunnerOptions } from "../../src/cli/sandbox.ts";
import type { ActionEvent, Observation } from "../../src/runtime/protocol.ts";

const STILL = "\n[The command timed out after 0.5 seconds. You may wait longer ...]";

function observation(content: string, suffix: string, exitCode = -1, workingDir = ""): Observation {
  return {
    observation: "run",
    content,
    extras: {
      command: "",
      metadata: { exit_code: exitCode, working_dir: workingDir || null, prefix: "", suffix },
    },
  };
}

const done = (content: string, code = 0) =>
  observation(content, `\n[The command completed with exit code ${code}.]`, code, "/tmp");

/** A fake sandbox answering each action with `answer`; it records what was sent. */
function fakeSandbox(answer: (action: ActionEvent, index: number) => Promise<Observation>) {
  const sent: ActionEvent[] = [];
  return {
    sent,
    execute(action: ActionEvent) {
      sent.push(action);
      return answer(action, sent.length - 1);
    },
  };
}

function runnerFor(
  target: ReturnType<typeof fakeSandbox>,
  options: RunnerOptions = {},
) {
  const out: string[] = [];
  const notes: string[] = [];
  const runner = new CommandRunner(target, {
    out: (line) => out.push(line),
    note: (line) => notes.push(line),
  }, options);
  return { runner, out, notes };
}

const command = (a: ActionEvent) => (a.args as { command: string }).command;
const isInput = (a: ActionEvent) => (a.args as { is_input: boolean }).is_input;

Deno.test("sandbox runner: polls a running command, showing its output as it comes", async () => {
  const answers = [
    observation("1", STILL),
    observation("", STILL),
    observation("2", STILL),
    done("3"),
  ];
  const target = fakeSandbox((_, i) => Promise.resolve(answers[i]!));
  const { runner, out } = runnerFor(target);
  const end = await runner.run("for i in 1 2 3; do ...", new AbortController().signal);
  assert.equal(end?.exit_code, 0);
  assert.equal(end?.working_dir, "/tmp");
  assert.deepEqual(out, ["1", "2", "3", "[The command completed with exit code 0.]"]);
  assert.deepEqual(target.sent.map(command), ["for i in 1 2 3; do ...", "", "", ""]);
  for (const action of target.sent) {
    assert.equal(action.timeout, POLL_SECONDS);
    assert.equal((action.args as { blocking: boolean }).blocking, false);
    assert.equal(isInput(action), false);
  }
  assert.equal(runner.running, false);
});

Deno.test("sandbox runner: ^C while a command runs is sent as C-c with is_input", async () => {
  const target = fakeSandbox((action, i) => {
    if (i === 1) assert.equal(runner.interrupt(), true, "a ^C while it runs is taken");
    if (command(action) === "C-c") {
      return Promise.resolve(
        observation("^C", "\n[The command completed with exit code 130. CTRL+C was sent.]", 130),
      );
    }
    return Promise.resolve(observation("", STILL));
  });
  const made = runnerFor(target);
  const runner = made.runner;
  assert.equal(runner.interrupt(), false, "no command runs");
  await runner.run("sleep 30", new AbortController().signal);
  assert.deepEqual(target.sent.map(command), ["sleep 30", "", "C-c"]);
  assert.deepEqual(target.sent.map(isInput), [false, false, true]);
  assert.deepEqual(made.out, [
    "^C",
    "[The command completed with exit code 130. CTRL+C was sent.]",
  ]);
});

Deno.test("sandbox runner: on a terminal, the sandbox's ^C echo is dropped", async () => {
  const target = fakeSandbox((action) => {
    if (command(action) === "C-c") {
      return Promise.resolve(
        observation("^C", "\n[The command completed with exit code 130. CTRL+C was sent.]", 130),
      );
    }
    runner.interrupt();
    return Promise.resolve(observation("", STILL));
  });
  const made = runnerFor(target, { terminalEchoesInterrupt: true });
  const runner = made.runner;
  await runner.run("sleep 30", new AbortController().signal);
  assert.deepEqual(made.out, ["", "[The command completed with exit code 130. CTRL+C was sent.]"]);
});

Deno.test("sandbox runner: --timeout sends ^C once and says so", async () => {
  const target = fakeSandbox((action) =>
    Promise.resolve(
      command(action) === "C-c" ? done("", 130) : observation("", STILL),
    )
  );
  const { runner, notes } = runnerFor(target, { timeout: 0 });
  await runner.run("sleep 30", new AbortController().signal);
  assert.deepEqual(target.sent.map(command), ["sleep 30", "C-c"]);
  assert.deepEqual(notes, ["[velora: still running after 0s (--timeout): ^C]"]);
});

Deno.test("sandbox runner: answers that are not a running command end the wait", async () => {
  const answers: Observation[] = [
    { observation: "error", content: "server error", extras: {} },
    observation("ERROR: No previous running command to retrieve logs from.", ""),
  ];
  for (const answer of answers) {
    const target = fakeSandbox(() => Promise.resolve(answer));
    const { runner, out } = runnerFor(target);
    await runner.run("x", new AbortController().signal);
    assert.equal(target.sent.length, 1);
    assert.deepEqual(out, [answer.content]);
  }
});

Deno.test("sandbox runner: a sandbox that stops answering lets ^C go, and an abort ends the wait", async () => {
  const target = fakeSandbox(() => new Promise<Observation>(() => {}));
  const { runner } = runnerFor(target, { unansweredMs: 20 });
  const stop = new AbortController();
  const running = runner.run("sleep 30", stop.signal);
  assert.equal(runner.interrupt(), true);
  assert.equal(runner.interrupt(), true, "within the grace period ^C is still forwarded");
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(runner.interrupt(), false, "then it is velora's own");
  stop.abort();
  assert.equal(await running, undefined);
  assert.equal(runner.running, false);
});
