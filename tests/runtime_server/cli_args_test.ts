import assert from "node:assert/strict";
import { HELP, parseServerArgs, ServerArgsError } from "../../runtime-server/cli_args.ts";

Deno.test("parseServerArgs reads the OpenHands command line", () => {
  const args = parseServerArgs([
    "30123",
    "--working-dir",
    "/workspace",
    "--plugins",
    "agent_skills",
    "jupyter",
    "--username",
    "root",
    "--user-id",
    "0",
    "--no-enable-browser",
  ]);
  assert.equal(args.port, 30123);
  assert.equal(args.host, "127.0.0.1");
  assert.equal(args.workingDir, "/workspace");
  assert.deepEqual(args.plugins, ["agent_skills", "jupyter"]);
  assert.equal(args.username, "root");
  assert.equal(args.userId, 0);
  assert.equal(args.enableBrowser, false);
  assert.deepEqual(args.warnings, []);
});

Deno.test("parseServerArgs accepts --host, = forms and unknown flags with a warning", () => {
  const args = parseServerArgs(["--host=0.0.0.0", "8000", "--future-flag", "--enable-browser"]);
  assert.equal(args.host, "0.0.0.0");
  assert.equal(args.port, 8000);
  assert.equal(args.enableBrowser, true);
  assert.deepEqual(args.unknown, ["--future-flag"]);
  assert.deepEqual(args.warnings, ['Ignoring unknown option "--future-flag"']);
});

Deno.test("parseServerArgs rejects a missing or bad port and missing values", () => {
  assert.throws(() => parseServerArgs(["--working-dir", "/w"]), ServerArgsError);
  assert.throws(() => parseServerArgs(["http"]), /invalid int value: 'http'/);
  assert.throws(() => parseServerArgs(["8000", "--working-dir"]), /expected one argument/);
  assert.throws(() => parseServerArgs(["8000", "--user-id", "x"]), /invalid int value/);
});

Deno.test("parseServerArgs reads --owner-timeout (off by default) and --help", () => {
  assert.equal(parseServerArgs(["8000"]).ownerTimeout, 0);
  assert.equal(parseServerArgs(["8000", "--owner-timeout", "30"]).ownerTimeout, 30);
  assert.equal(parseServerArgs(["--owner-timeout=2.5", "8000"]).ownerTimeout, 2.5);
  assert.throws(() => parseServerArgs(["8000", "--owner-timeout", "soon"]), /--owner-timeout/);
  assert.throws(() => parseServerArgs(["8000", "--owner-timeout=-1"]), /invalid value: '-1'/);
  assert.equal(parseServerArgs(["--help"]).help, true, "no port needed");
  assert.equal(parseServerArgs(["-h"]).help, true);
  assert.match(HELP, /--owner-timeout SECONDS/);
});
