/**
 * The `run` action tests, registered once per bash transport (`pty` and `pipe`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { withServer } from "./_server.ts";

const TIMEOUT_MESSAGE = "You may wait longer to see additional output by sending empty " +
  "command '', send other commands to interact with the current process, send keys " +
  '("C-c", "C-z", "C-d") to interrupt/kill the previous command before sending your new ' +
  "command, or use the timeout parameter in execute_bash for future commands.";

/** Registers the bash tests for `mode`. */
export function bashSuite(mode: "pty" | "pipe"): void {
  const name = (what: string) => `runtime server (${mode}): ${what}`;

  Deno.test(name("cwd, variables and functions persist; metadata and messages"), async () => {
    await withServer({ mode }, async (server) => {
      const first = await server.run(
        "mkdir -p sub && cd sub && export VELORA_X=42 && greet() { echo hi-$1; }",
      );
      assert.equal(first.observation, "run");
      assert.equal(first.content, "");
      const meta = first.extras.metadata!;
      assert.equal(meta.exit_code, 0);
      assert.equal(meta.working_dir, `${server.workDir}/sub`);
      assert.equal(typeof meta.username, "string");
      assert.equal(typeof meta.hostname, "string");
      assert.equal(meta.suffix, "\n[The command completed with exit code 0.]");
      assert.equal(meta.prefix, "");
      assert.equal(first.success, true);
      assert.equal(
        first.message,
        "Command `mkdir -p sub && cd sub && export VELORA_X=42 && greet() { echo hi-$1; }` " +
          "executed with exit code 0.",
      );
      assert.equal(first.extras.hidden, false);

      const second = await server.run("pwd; echo $VELORA_X; greet there");
      assert.equal(second.content, `${server.workDir}/sub\n42\nhi-there`);

      const failed = await server.run("false");
      assert.equal(failed.extras.metadata!.exit_code, 1);
      assert.equal(failed.success, false);
      assert.equal(failed.extras.metadata!.suffix, "\n[The command completed with exit code 1.]");
      assert.equal((await server.run("echo $?")).content, "1");

      const code = await server.run("(exit 7)");
      assert.equal(code.extras.metadata!.exit_code, 7);

      const bg = await server.run("sleep 0.1 & wait");
      assert.ok(bg.extras.metadata!.pid > 0, "pid is $! of the last background job");
    });
  });

  Deno.test(name("multi-line commands, heredocs and quoting reach bash intact"), async () => {
    await withServer({ mode }, async (server) => {
      const obs = await server.run(
        "cat > notes.txt <<'EOF'\nline one $HOME\n  'quoted' \"double\" \\; | &\nEOF\n" +
          "wc -l < notes.txt\nfor i in 1 2; do\n  echo item $i\ndone",
      );
      assert.equal(obs.extras.metadata!.exit_code, 0);
      assert.equal(obs.content, "2\nitem 1\nitem 2");
      const text = await Deno.readTextFile(`${server.workDir}/notes.txt`);
      assert.equal(text, "line one $HOME\n  'quoted' \"double\" \\; | &\n");
    });
  });

  Deno.test(
    name("several commands in one action are refused as OpenHands refuses them"),
    async () => {
      await withServer({ mode }, async (server) => {
        const refused = await server.run("touch one.txt\ntouch two.txt");
        assert.deepEqual(refused, {
          message: refused.content,
          observation: "error",
          content: "ERROR: Cannot execute multiple commands at once.\n" +
            "Please run each command separately OR chain them into a single command via && or ;\n" +
            "Provided commands:\n(1) touch one.txt\n(2) touch two.txt",
          extras: { error_id: "" },
        });
        assert.equal((await server.run("ls")).content, "", "nothing ran");
        const input = await server.run("a\nb", { isInput: true });
        assert.equal(input.content, "ERROR: No previous running command to interact with.");
        const loop = await server.run("for i in 1 2\ndo\n  echo $i\ndone");
        assert.equal(loop.content, "1\n2");
      });
    },
  );

  Deno.test(name("background jobs print their notices; $? reaches the next command"), async () => {
    await withServer({ mode }, async (server) => {
      const started = await server.run("sleep 0.5 &");
      assert.match(started.content, /^\[1\] \d+$/);
      assert.equal(started.extras.metadata!.pid, Number(started.content.split(" ")[1]));
      const failed = await server.run("sleep 0.8; (exit 3)");
      assert.match(failed.content, /^(\[1\]\+ +Done +sleep 0\.5)?$/);
      assert.equal(failed.extras.metadata!.exit_code, 3);
      assert.equal((await server.run("echo $?")).content, "3");
      const done = await server.run("sleep 0.2 & wait; echo waited");
      assert.match(done.content, /^\[1\] \d+\n(\[1\]\+ +Done +sleep 0\.2\n)?waited$/);
      assert.match(
        (await server.run("return")).content,
        /^bash: return: can only `return' from a function or sourced script$/,
      );
    });
  });

  Deno.test(
    name("prompt changes by commands (PS1, PROMPT_COMMAND) do not break the session"),
    async () => {
      await withServer({ mode }, async (server) => {
        assert.equal((await server.run("PS1='(venv) custom> '; echo one")).content, "one");
        assert.equal((await server.run("echo two; false")).extras.metadata!.exit_code, 1);
        assert.equal((await server.run("PROMPT_COMMAND='true'; echo three")).content, "three");
        const four = await server.run("cd /; echo four");
        assert.equal(four.content, "four");
        assert.equal(four.extras.metadata!.working_dir, "/");
      });
    },
  );

  Deno.test(name("empty command or input with nothing running is an error"), async () => {
    await withServer({ mode }, async (server) => {
      const empty = await server.run("");
      assert.equal(empty.content, "ERROR: No previous running command to retrieve logs from.");
      assert.equal(empty.extras.metadata!.exit_code, -1);
      assert.equal(empty.extras.command, "");
      const input = await server.run("hello", { isInput: true });
      assert.equal(input.content, "ERROR: No previous running command to interact with.");
    });
  });

  Deno.test(name("soft timeout returns, the process keeps running, output continues"), async () => {
    await withServer({ mode, env: { NO_CHANGE_TIMEOUT_SECONDS: "1" } }, async (server) => {
      const first = await server.run("echo start; sleep 3; echo end");
      const meta = first.extras.metadata!;
      assert.equal(meta.exit_code, -1);
      assert.equal(meta.working_dir, null);
      assert.equal(
        meta.suffix,
        `\n[The command has no new output after 1 seconds. ${TIMEOUT_MESSAGE}]`,
      );
      assert.equal(first.success, false);
      let output = first.content;
      let last = first;
      let continued = false;
      for (let i = 0; i < 30 && last.extras.metadata!.exit_code === -1; i++) {
        last = await server.run("");
        output += "\n" + last.content;
        if (last.extras.metadata!.exit_code === -1) {
          assert.equal(
            last.extras.metadata!.prefix,
            "[Below is the output of the previous command.]\n",
          );
          continued = true;
        }
      }
      assert.ok(continued, "at least one continuation before the command ends");
      assert.equal(last.extras.metadata!.exit_code, 0);
      assert.equal(last.extras.metadata!.prefix, "");
      assert.match(output, /start[\s\S]*end/);
      assert.equal(output.match(/start/g)?.length, 1, "output is not repeated");
    });
  });

  Deno.test(
    name("hard timeout returns exit code -1, a later empty command collects the rest"),
    async () => {
      await withServer({ mode }, async (server) => {
        const first = await server.run("sleep 2; echo hard-done", { timeout: 1, blocking: true });
        assert.equal(first.extras.metadata!.exit_code, -1);
        assert.equal(
          first.extras.metadata!.suffix,
          `\n[The command timed out after 1.0 seconds. ${TIMEOUT_MESSAGE}]`,
        );
        const { last, output } = await server.untilDone(first);
        assert.equal(last.extras.metadata!.exit_code, 0);
        assert.match(output, /hard-done/);
        assert.equal((await server.run("echo next")).content, "next");
      });
    },
  );

  Deno.test(name("a new command while one runs is not executed; C-c interrupts it"), async () => {
    await withServer({ mode }, async (server) => {
      const first = await server.run("echo before; sleep 30; echo never", {
        timeout: 1,
        blocking: true,
      });
      assert.equal(first.extras.metadata!.exit_code, -1);
      const refused = await server.run("echo hi");
      assert.equal(refused.extras.metadata!.exit_code, -1);
      assert.equal(
        refused.extras.metadata!.suffix,
        '\n[Your command "echo hi" is NOT executed. The previous command is still running - ' +
          "You CANNOT send new commands until the previous command is completed. By setting " +
          `\`is_input\` to \`true\`, you can interact with the current process: ${TIMEOUT_MESSAGE}]`,
      );
      assert.equal(refused.extras.command, "echo hi");
      assert.equal(
        refused.extras.metadata!.prefix,
        "[Below is the output of the previous command.]\n",
      );
      assert.doesNotMatch(refused.content, /\bhi\b/);

      const interrupted = await server.run("C-c", { isInput: true, timeout: 10, blocking: true });
      const meta = interrupted.extras.metadata!;
      assert.equal(meta.exit_code, 130);
      assert.equal(meta.suffix, "\n[The command completed with exit code 130. CTRL+C was sent.]");
      assert.doesNotMatch(interrupted.content, /never/);
      const after = await server.run("echo after");
      assert.equal(after.content, "after");
      assert.equal(after.extras.metadata!.exit_code, 0);
    });
  });

  Deno.test(name("is_input answers a read prompt"), async () => {
    await withServer({ mode }, async (server) => {
      const first = await server.run('read -p "Name: " name && echo "hello $name"', {
        timeout: 1,
        blocking: true,
      });
      assert.equal(first.extras.metadata!.exit_code, -1);
      if (mode === "pty") assert.equal(first.content, "Name:");
      const answered = await server.run("alice", { isInput: true, timeout: 10, blocking: true });
      assert.equal(answered.extras.metadata!.exit_code, 0);
      assert.equal(answered.content, "hello alice");
      assert.equal(answered.extras.command, "alice");
    });
  });

  Deno.test(name("output is cut in the middle at 30000 characters"), async () => {
    await withServer({ mode }, async (server) => {
      const obs = await server.run("seq 1 30000");
      const notice = "\n[... Observation truncated due to length ...]\n";
      assert.equal(obs.content.length, 30000 + notice.length);
      assert.ok(obs.content.startsWith("1\n2\n3\n"));
      assert.ok(obs.content.endsWith("29999\n30000"));
      assert.ok(obs.content.includes(notice));
      const hidden = await server.run("seq 1 10000", { hidden: true });
      assert.equal(hidden.extras.hidden, true);
      assert.ok(!hidden.content.includes(notice), "hidden commands are not truncated");
    });
  });

  Deno.test(name("binary and invalid UTF-8 output stays valid JSON"), async () => {
    await withServer({ mode }, async (server) => {
      const obs = await server.run(
        "head -c 4096 /dev/urandom | tr -d '\\033'; echo; " +
          "printf 'x\\x00\\xff\\xfe\\x1b[31mred\\x1b[0m\\n'; echo tail-ok",
      );
      assert.equal(obs.extras.metadata!.exit_code, 0);
      assert.ok(
        obs.content.endsWith("x\uFFFD\uFFFDred\ntail-ok"),
        JSON.stringify(obs.content.slice(-40)),
      );
      assert.ok(!obs.content.includes("\0"), "NUL bytes are dropped");
    });
  });

  Deno.test(name("exit ends the shell; the next command gets a fresh one"), async () => {
    await withServer({ mode }, async (server) => {
      await server.run("mkdir -p kept && cd kept");
      const exited = await server.run("exit 3");
      assert.equal(exited.extras.metadata!.exit_code, 3);
      const again = await server.run("pwd");
      assert.equal(again.extras.metadata!.exit_code, 0);
      assert.equal(again.content, `${server.workDir}/kept`);
    });
  });

  Deno.test(name("is_static runs a one-shot command in cwd"), async () => {
    await withServer({ mode }, async (server) => {
      const obs = await server.run("pwd; echo err >&2; exit 4", {
        extra: { is_static: true, cwd: "/" },
      });
      assert.equal(obs.content, "/\nerr");
      const meta = obs.extras.metadata!;
      assert.equal(meta.exit_code, 4);
      // the fields OpenHands' fresh bash session reports in its prompt
      assert.equal(meta.working_dir, "/");
      assert.equal(meta.hostname, Deno.hostname().split(".")[0]);
      assert.equal(typeof meta.username, "string");
      assert.ok(meta.username);
      assert.equal(typeof meta.py_interpreter_path, "string");
      const moved = await server.run("cd /tmp && true", { extra: { is_static: true, cwd: "/" } });
      assert.equal(moved.extras.metadata!.working_dir, "/tmp");
      const refused = await server.run("echo a\necho b", { extra: { is_static: true, cwd: "/" } });
      assert.equal(refused.observation, "error");
      const empty = await server.run("  ", { extra: { is_static: true, cwd: "/" } });
      assert.equal(empty.content, "ERROR: No previous running command to retrieve logs from.");
    });
  });

  Deno.test(name("C-d ends the running command's input, as on a terminal"), async () => {
    await withServer({ mode }, async (server) => {
      await server.run("cat > typed.txt", { timeout: 1, blocking: true });
      await server.run("some text", { isInput: true, timeout: 1, blocking: true });
      const ended = await server.run("C-d", { isInput: true, timeout: 10, blocking: true });
      assert.equal(ended.extras.metadata!.exit_code, 0);
      assert.equal(
        ended.extras.metadata!.suffix,
        "\n[The command completed with exit code 0. CTRL+D was sent.]",
      );
      assert.equal(await Deno.readTextFile(`${server.workDir}/typed.txt`), "some text\n");
      const read = await server.run("read -r line; echo got:$line", { timeout: 1, blocking: true });
      assert.equal(read.extras.metadata!.exit_code, -1, "a new command waits for its own input");
      const answered = await server.run("C-d", { isInput: true, timeout: 10, blocking: true });
      assert.equal(answered.content, "got:");
      assert.equal((await server.run("echo ok")).content, "ok");
    });
  });

  if (mode === "pty") {
    Deno.test(name("C-z suspends, as on a terminal"), async () => {
      await withServer({ mode }, async (server) => {
        await server.run("sleep 30", { timeout: 1, blocking: true });
        const stopped = await server.run("C-z", { isInput: true, timeout: 10, blocking: true });
        assert.equal(stopped.extras.metadata!.exit_code, 148);
        assert.match(stopped.content, /Stopped/);
        assert.equal(
          stopped.extras.metadata!.suffix,
          "\n[The command completed with exit code 148. CTRL+Z was sent.]",
        );
        await server.run("kill %1");
        assert.equal((await server.run("tty")).content.startsWith("/dev/pts/"), true);
      });
    });
  } else {
    Deno.test(
      name("C-z interrupts the running command (no job control without a terminal)"),
      async () => {
        await withServer({ mode }, async (server) => {
          await server.run("sleep 30; echo never", { timeout: 1, blocking: true });
          const obs = await server.run("C-z", { isInput: true, timeout: 10, blocking: true });
          assert.equal(obs.extras.metadata!.exit_code, 130);
          assert.equal(
            obs.extras.metadata!.suffix,
            "\n[The command completed with exit code 130. CTRL+Z was sent.]",
          );
          assert.doesNotMatch(obs.content, /never/);
          const next = await server.run("echo ok");
          assert.equal(next.content, "ok");
          assert.equal(next.extras.metadata!.exit_code, 0);
        });
      },
    );
  }
}
