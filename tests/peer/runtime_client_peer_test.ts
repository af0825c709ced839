/**
 * OpenHands' own client (`ActionExecutionClient`, openhands-ai 0.62.0, in the peer environment)
 * drives velora's runtime server through a 71-step session (tests/peer/openhands_session.py):
 * commands, `is_input`, `C-c`, soft and hard timeouts, the multi-command refusal, job notices,
 * files through `read`/`write` and the editor, upload, download, `list_files`, a static command
 * and the MCP handshake. Every step must be accepted by the client, and every observation must be
 * the one OpenHands' server gives (its texts and fields, taken from OpenHands 0.62's source and
 * checked against its server run locally).
 *
 * @module
 */
import assert from "node:assert/strict";
import { startServer } from "../runtime_server/_server.ts";
import { peerPython, skipPeer } from "./_venv.ts";

const SESSION = await Deno.readTextFile(new URL("./openhands_session.py", import.meta.url));
const SOFT_TIMEOUT = 3;

// deno-lint-ignore no-explicit-any -- observations are parsed JSON, checked field by field
type Json = any;

interface Step {
  step: string;
  accepted: boolean;
  result?: Json;
  error?: string;
}

/** What `which python` prints in the server's environment (OpenHands' PS1 field). */
async function whichPython(): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: ["-c", 'type -P python || echo ""'],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

async function userName(): Promise<string> {
  const out = await new Deno.Command("id", { args: ["-un"], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

const refusal = (...commands: string[]) =>
  "ERROR: Cannot execute multiple commands at once.\n" +
  "Please run each command separately OR chain them into a single command via && or ;\n" +
  `Provided commands:\n${commands.map((c, i) => `(${i + 1}) ${c}`).join("\n")}`;

Deno.test({
  name: "peer: OpenHands' ActionExecutionClient drives a 71-step session on velora's server",
  ignore: await skipPeer(),
  async fn() {
    const server = await startServer({
      env: { NO_CHANGE_TIMEOUT_SECONDS: String(SOFT_TIMEOUT) },
    });
    const uploads = await Deno.makeTempDir({ prefix: "velora-peer-upload-" });
    let output: { steps: Step[]; timeout_message: string };
    try {
      output = JSON.parse(
        await peerPython(
          SESSION,
          JSON.stringify({
            url: server.url,
            key: server.key,
            workdir: server.workDir,
            upload_dir: uploads,
          }),
        ),
      );
    } finally {
      await server.close();
      await Deno.remove(uploads, { recursive: true });
    }
    const { steps, timeout_message: hint } = output;
    const WS = server.workDir;
    const user = await userName();
    const host = Deno.hostname().split(".")[0];
    const python = await whichPython();

    assert.ok(steps.length >= 40, `${steps.length} steps`);
    const rejected = steps.filter((s) => !s.accepted).map((s) => `${s.step}: ${s.error}`);
    assert.deepEqual(rejected, [], "every step is accepted by OpenHands' client");
    const byName = new Map(steps.map((s) => [s.step, s.result]));
    const result = (name: string): Json => {
      assert.ok(byName.has(name), `step ${name}`);
      return byName.get(name);
    };
    const checked = new Set<string>(["alive"]);

    const completedSuffix = (code: number) => `\n[The command completed with exit code ${code}.]`;
    const soft = `\n[The command has no new output after ${SOFT_TIMEOUT} seconds. ${hint}]`;
    const notExecuted = (cmd: string) =>
      `\n[Your command "${cmd}" is NOT executed. The previous command is still running - You ` +
      "CANNOT send new commands until the previous command is completed. By setting `is_input` " +
      `to \`true\`, you can interact with the current process: ${hint}]`;
    const CONTINUED = "[Below is the output of the previous command.]\n";

    /** A `run` observation: content, exit code, prefix and suffix, and the PS1 fields. */
    const run = (
      name: string,
      command: string,
      content: string | RegExp,
      options: { exitCode?: number; prefix?: string; suffix?: string; cwd?: string } = {},
      obs: Json = result(name),
    ) => {
      checked.add(name);
      const exitCode = options.exitCode ?? 0;
      assert.equal(obs.observation, "run", name);
      if (typeof content === "string") assert.equal(obs.content, content, name);
      else assert.match(obs.content, content, name);
      assert.equal(
        obs.message,
        `Command \`${command}\` executed with exit code ${exitCode}.`,
        name,
      );
      assert.equal(obs.success, exitCode === 0, name);
      assert.equal(obs.extras.command, command, name);
      const meta = obs.extras.metadata;
      assert.equal(meta.exit_code, exitCode, name);
      assert.equal(meta.prefix, options.prefix ?? "", name);
      assert.equal(meta.suffix, options.suffix ?? completedSuffix(exitCode), name);
      if (exitCode === -1) {
        // timeouts and refusals carry OpenHands' default metadata
        assert.deepEqual(
          [meta.pid, meta.username, meta.hostname, meta.working_dir, meta.py_interpreter_path],
          [-1, null, null, null, null],
          name,
        );
      } else {
        assert.equal(meta.username, user, `${name}: username`);
        assert.equal(meta.hostname, host, `${name}: hostname`);
        assert.equal(meta.working_dir, options.cwd ?? WS, `${name}: working_dir`);
        assert.equal(meta.py_interpreter_path, python, `${name}: py_interpreter_path`);
      }
    };
    const error = (name: string, content: string) => {
      checked.add(name);
      const obs = result(name);
      assert.deepEqual(
        [obs.observation, obs.content, obs.message, obs.extras],
        ["error", content, content, { error_id: "" }],
        name,
      );
    };
    const file = (name: string, observation: string, content: string, extras: Json) => {
      checked.add(name);
      const obs = result(name);
      assert.deepEqual(
        { observation: obs.observation, content: obs.content, extras: obs.extras },
        { observation, content, extras },
        name,
      );
    };

    run("pwd", "pwd", WS);
    run("mkdir and cd", "mkdir -p sub && cd sub && pwd", `${WS}/sub`, { cwd: `${WS}/sub` });
    run("cwd persists", "pwd", `${WS}/sub`, { cwd: `${WS}/sub` });
    run("cd back", `cd ${WS}`, "");
    run("export", "export VELORA_PEER=42", "");
    run("variable persists", "echo $VELORA_PEER", "42");
    run("mkdir", "mkdir -p d1/d2", "");
    run("false", "false", "", { exitCode: 1 });
    run("last status", "echo $?", "1");
    run("subshell exit code", "(exit 7)", "", { exitCode: 7 });
    run("chained with &&", "echo a && echo b", "a\nb");
    run("chained with ;", "echo a; echo b", "a\nb");
    error("multi-line refused", refusal("echo a", "echo b"));
    error("multi-line with comment refused", refusal("# list files", "ls -1"));
    error("blank line refused", refusal("echo one", "echo two"));
    run("multi-line for loop", "for i in 1 2 3\ndo\n  echo $i\ndone", "1\n2\n3");
    run("multi-line if", "if true; then\n  echo yes\nfi", "yes");
    run("heredoc", "cat <<EOF\nline 1\nline 2\nEOF", "line 1\nline 2");
    run("quoted heredoc", "cat <<'EOF'\n$HOME stays\nEOF", "$HOME stays");
    error(
      "heredoc then command refused",
      refusal("cat <<EOF > h.txt\nx\nEOF", "cat h.txt"),
    );
    run("string with newline", 'echo "a\nb"', "a\nb");
    run("background job notice", "sleep 1 &", /^\[1\] \d+$/);
    const job = Number(result("background job notice").content.split(" ")[1]);
    run("job done notice", "sleep 2; echo after", /^\[1\]\+ +Done +sleep 1\nafter$/);
    assert.equal(result("job done notice").extras.metadata.pid, job, "$! is the job's pid");
    run("no output", "true", "");
    run("no trailing newline", "printf partial", "partial");
    run("stderr", "echo oops >&2", "oops");
    run(
      "command not found",
      "velora_no_such_command",
      "bash: velora_no_such_command: command not found",
      { exitCode: 127 },
    );
    run(
      "cd error",
      "cd /velora/no/such/dir",
      "bash: cd: /velora/no/such/dir: No such file or directory",
      { exitCode: 1 },
    );
    run("unicode", 'echo "héllo ✓"', "héllo ✓");
    const all = Array.from({ length: 8000 }, (_, i) => String(i + 1)).join("\n");
    run(
      "long output is cut in the middle",
      "seq 1 8000",
      all.slice(0, 15000) + "\n[... Observation truncated due to length ...]\n" +
        all.slice(all.length - 15000),
    );
    run("hidden command", "echo secret", "secret");
    assert.equal(result("hidden command").extras.hidden, true);
    run(
      "empty command, nothing running",
      "",
      "ERROR: No previous running command to retrieve logs from.",
      { exitCode: -1, suffix: "" },
    );
    run(
      "input, nothing running",
      "",
      "ERROR: No previous running command to interact with.",
      { exitCode: -1, suffix: "" },
    );
    run("soft timeout", "sleep 6; echo slept", "", { exitCode: -1, suffix: soft });
    run("new command while running", "echo other", "", {
      exitCode: -1,
      prefix: CONTINUED,
      suffix: notExecuted("echo other"),
    });
    checked.add("empty command continues");
    const polls: Json[] = result("empty command continues");
    const last = polls.at(-1);
    // a completed command gets no "[Below is ...]" prefix, even after timeouts (bash.py)
    run("empty command continues", "", "slept", {}, last);
    for (const poll of polls.slice(0, -1)) {
      run("empty command continues", "", "", {
        exitCode: -1,
        prefix: CONTINUED,
        suffix: `\n[The command timed out after 5.0 seconds. ${hint}]`,
      }, poll);
    }
    run("prompt for input", 'read -p "name? " NAME; echo "hi $NAME"', "name?", {
      exitCode: -1,
      suffix: soft,
    });
    run("send input", "bob", "hi bob");
    run("long command", "sleep 60", "", { exitCode: -1, suffix: soft });
    run("C-c", "C-c", "^C", {
      exitCode: 130,
      suffix: "\n[The command completed with exit code 130. CTRL+C was sent.]",
    });
    run("status after C-c", "echo $?", "130");
    run("hard timeout", "sleep 30", "", {
      exitCode: -1,
      suffix: `\n[The command timed out after 2.0 seconds. ${hint}]`,
    });
    run("C-c after hard timeout", "C-c", "^C", {
      exitCode: 130,
      suffix: "\n[The command completed with exit code 130. CTRL+C was sent.]",
    });

    file("write new file", "write", "", { path: `${WS}/f.txt` });
    file("read file", "read", "hello\nworld\n", { path: `${WS}/f.txt`, impl_source: "default" });
    file("read lines", "read", "hello\nworld\n", { path: `${WS}/f.txt`, impl_source: "default" });
    file("write lines", "write", "", { path: `${WS}/f.txt` });
    run("cat written file", "cat f.txt", "HELLO\nworld");
    error(
      "read missing file",
      `File not found: ${WS}/missing.txt. Your current working directory is ${WS}.`,
    );
    error("read directory", `Path is a directory: ${WS}. You can only read files`);
    const e = `${WS}/e.py`;
    const edit = (fields: Json) => ({
      path: e,
      prev_exist: false,
      old_content: null,
      new_content: null,
      impl_source: "oh_aci",
      diff: "",
      _diff_cache: null,
      ...fields,
    });
    file(
      "editor create",
      "edit",
      `File created successfully at: ${e}`,
      edit({
        diff: `--- ${e}\n+++ ${e}\n@@ -0,0 +1,2 @@\n+def f():\n+    return 1`,
      }),
    );
    file(
      "editor create existing",
      "edit",
      `ERROR:\nInvalid \`path\` parameter: ${e}. File already exists at: ${e}. ` +
        "Cannot overwrite files using command `create`.",
      edit({}),
    );
    file(
      "editor view",
      "read",
      `Here's the result of running \`cat -n\` on ${e}:\n     1\tdef f():\n     2\t    return 1\n` +
        "     3\t\n",
      { path: e, impl_source: "oh_aci" },
    );
    file(
      "editor view range",
      "read",
      `Here's the result of running \`cat -n\` on ${e}:\n     2\t    return 1\n`,
      { path: e, impl_source: "oh_aci" },
    );
    file(
      "editor str_replace",
      "edit",
      `The file ${e} has been edited. Here's the result of running \`cat -n\` on a snippet of ` +
        `${e}:\n     1\tdef f():\n     2\t    return 2\n     3\t\nReview the changes and make ` +
        "sure they are as expected. Edit the file again if necessary.",
      edit({
        old_content: "return 1",
        new_content: "return 2",
        diff: `--- ${e}\n+++ ${e}\n@@ -2 +2 @@\n-    return 1\n+    return 2`,
      }),
    );
    file(
      "editor str_replace missing",
      "edit",
      `ERROR:\nNo replacement was performed, old_str \`nope\` did not appear verbatim in ${e}.`,
      edit({ old_content: "nope", new_content: "x" }),
    );
    file(
      "editor insert",
      "edit",
      `The file ${e} has been edited. Here's the result of running \`cat -n\` on a snippet of ` +
        "the edited file:\n     1\tdef f():\n     2\t    return 2\n     3\t# end\n     4\t\n" +
        "Review the changes and make sure they are as expected (correct indentation, no " +
        "duplicate lines, etc). Edit the file again if necessary.",
      edit({ new_content: "# end", diff: `--- ${e}\n+++ ${e}\n@@ -2,0 +3 @@\n+# end` }),
    );
    file(
      "editor undo",
      "edit",
      `Last edit to ${e} undone successfully. Here's the result of running \`cat -n\` on ${e}:\n` +
        "     1\tdef f():\n     2\t    return 2\n     3\t\n",
      edit({ diff: `--- ${e}\n+++ ${e}\n@@ -3 +2,0 @@\n-# end` }),
    );
    file(
      "editor relative path",
      "read",
      "ERROR:\nInvalid `path` parameter: e.py. The path should be an absolute path, starting " +
        `with \`/\`. Maybe you meant ${e}?`,
      { path: "e.py", impl_source: "oh_aci" },
    );
    file(
      "editor view directory",
      "read",
      `Here's the files and directories up to 2 levels deep in ${WS}/sub, excluding hidden ` +
        `items:\n${WS}/sub/`,
      { path: `${WS}/sub`, impl_source: "oh_aci" },
    );
    run("static command", "pwd; whoami", `${WS}/sub\n${user}`, { cwd: `${WS}/sub` });
    error("static multi-line refused", refusal("echo a", "echo b"));

    const plain = (name: string, expected: Json) => {
      checked.add(name);
      assert.deepEqual(result(name), expected, name);
    };
    plain("upload file", ["one.txt"]);
    plain("upload directory", ["inner/", "a.txt"]);
    plain("download directory", [["a.txt", "a\n"], ["inner/b.txt", "b\n"]]);
    plain("list workdir", ["d1/", "sub/", "up/", "e.py", "f.txt"]);
    plain("list relative", ["tree/", "one.txt"]);
    plain("list missing", []);
    // No MCP server runs in velora's sandbox: the client must not offer its SSE endpoint.
    plain("mcp config", { sse_servers: [], stdio_servers: [] });
    run("final pwd", "pwd", WS);

    const unchecked = steps.map((s) => s.step).filter((s) => !checked.has(s));
    assert.deepEqual(unchecked, [], "every step has its expectation");
  },
});
