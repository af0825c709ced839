/**
 * `velora sandbox` on a real terminal (tmux): the typed line is echoed and editable, ^C
 * interrupts the running command and the session goes on, ^C at the prompt starts a new line,
 * `exit` and ^D end it, and the sandbox container is gone when velora is, also when its terminal
 * closes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LABEL_PID, labelFilter } from "../../src/docker/labels.ts";
import { BASE_IMAGE, ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { REPO_ROOT } from "../support/demo_image.ts";
import { tmuxAvailable, TmuxTerminal } from "../support/tmux.ts";
import { waitFor } from "../support/velora.ts";

const ignore = (await ignoreWithoutDocker()) ||
  (Deno.env.get("CI") !== "true" && !(await tmuxAvailable()));

const VELORA = [
  Deno.execPath(),
  "run",
  "-A",
  "--quiet",
  "--frozen",
  "--config",
  join(REPO_ROOT, "deno.json"),
  join(REPO_ROOT, "main.ts"),
];

/** Containers (running or not) that the velora process `pid` made. */
async function containersOf(pid: number): Promise<string[]> {
  const found = await testDocker().listContainers({
    all: true,
    filters: { label: [labelFilter(LABEL_PID, String(pid))] },
  });
  return found.map((c) => c.Id);
}

async function removeContainers(ids: string[]): Promise<void> {
  const docker = testDocker();
  for (const id of ids) await docker.getContainer(id).remove({ force: true }).catch(() => {});
}

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** Starts `velora sandbox` in tmux and waits for its first prompt. */
async function startSandbox(): Promise<{ term: TmuxTerminal; pid: number }> {
  const term = await TmuxTerminal.start([...VELORA, "sandbox", BASE_IMAGE], {
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
  });
  const pid = await term.pid();
  try {
    await waitFor(
      "the first prompt",
      async () => /^\/workspace\$$/m.test(await term.screen()),
      60_000,
    );
  } catch (error) {
    const screen = await term.screen().catch(() => "");
    await term.close();
    throw new Error(`${(error as Error).message}; screen:\n${screen}`);
  }
  return { term, pid };
}

/** Waits until the screen matches `pattern`; the screen in the error otherwise. */
async function waitForScreen(
  term: TmuxTerminal,
  what: string,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  let screen = "";
  try {
    await waitFor(what, async () => pattern.test(screen = await term.screen()), timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; screen:\n${screen}`);
  }
  return screen;
}

/** Runs `fn` with a `velora sandbox` on a terminal; closes it and removes its containers after. */
async function withSandboxTerminal(
  fn: (term: TmuxTerminal, pid: number) => Promise<void>,
): Promise<void> {
  const { term, pid } = await startSandbox();
  try {
    await fn(term, pid);
  } finally {
    await term.close();
    await removeContainers(await containersOf(pid));
  }
}

/** velora ends with status 0 and takes its sandbox container with it. */
async function exitsCleanly(term: TmuxTerminal, pid: number): Promise<void> {
  await waitFor("velora to exit", async () => (await term.exitStatus()) !== undefined, 30_000);
  assert.equal(await term.exitStatus(), 0, await term.screen());
  assert.deepEqual(await containersOf(pid), [], "the sandbox container was removed");
}

Deno.test({
  name: "velora sandbox on a terminal: echoes input, ^C interrupts the command, exit removes it",
  ignore,
  fn: () =>
    withSandboxTerminal(async (term, pid) => {
      assert.equal((await containersOf(pid)).length, 1, "one sandbox container while it runs");

      await term.type("export X=5 && echo $X");
      await term.press("Enter");
      await waitForScreen(
        term,
        "the command and its output",
        /^\/workspace\$ export X=5 && echo \$X\n5\n\[The command completed with exit code 0\.\]$/m,
      );

      await term.type("sleep 30");
      await term.press("Enter");
      await waitForScreen(term, "sleep to start", /^\/workspace\$ sleep 30$/m);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const pressed = performance.now();
      await term.press("C-c");
      await waitForScreen(
        term,
        "the interrupt notice",
        /\[The command completed with exit code 130\. CTRL\+C was sent\.\]\n\/workspace\$$/,
        10_000,
      );
      const seconds = (performance.now() - pressed) / 1000;
      assert.ok(seconds < 2, `the interrupt notice came ${seconds.toFixed(2)} s after ^C`);

      await term.type("echo after");
      await term.press("Enter");
      await waitForScreen(term, "the next command", /^after\n\[The command completed/m);

      await term.type("exit");
      await term.press("Enter");
      await exitsCleanly(term, pid);
    }),
});

Deno.test({
  name: "velora sandbox on a terminal: line editing, history, ^C at the prompt, ^D ends it",
  ignore,
  fn: () =>
    withSandboxTerminal(async (term, pid) => {
      // ^A/^E, left and backspace edit the line before it runs.
      await term.type("cho one two");
      await term.press("C-a");
      await term.type("e");
      await term.press("C-e", "Left", "Left", "Left", "BSpace");
      await term.type("+");
      await term.press("Enter");
      await waitForScreen(term, "the edited line", /^\/workspace\$ echo one\+two\none\+two$/m);

      // ^C at the prompt drops the line and shows a new prompt; nothing runs.
      await term.type("echo never");
      await term.press("C-c");
      await waitForScreen(term, "a new prompt", /^\/workspace\$ echo never\^C\n\/workspace\$$/m);

      // Up brings back the last line.
      await term.press("Up");
      await waitForScreen(term, "the last line again", /\/workspace\$ echo one\+two$/);
      await term.press("Enter");
      await waitFor(
        "it to run again",
        async () => (await term.screen()).match(/^one\+two$/gm)?.length === 2,
      );
      assert.doesNotMatch(await term.screen(), /^never$/m);

      await term.press("C-d");
      await exitsCleanly(term, pid);
    }),
});

Deno.test({
  name: "velora sandbox: closing its terminal (SIGHUP) removes the container while a command runs",
  ignore,
  fn: () =>
    withSandboxTerminal(async (term, pid) => {
      await term.type("sleep 60");
      await term.press("Enter");
      await waitForScreen(term, "sleep to start", /^\/workspace\$ sleep 60$/m);
      assert.equal((await containersOf(pid)).length, 1);
      await term.close();
      await waitFor("velora to exit", () => !isAlive(pid), 20_000);
      assert.deepEqual(await containersOf(pid), [], "the sandbox container was removed");
    }),
});
