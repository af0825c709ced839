/**
 * Issue 15: a command the agent leaves running must not throw its finished work away. Patch
 * collection interrupts it (`C-c` as input) or, when it will not stop, collects the patch
 * through a one-shot shell.
 */
import assert from "node:assert/strict";
import { isObservation } from "../../src/agent/events.ts";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { bash, finish, fix, FIXED, runDemoInstance } from "./_support.ts";

const ignore = await ignoreWithoutDocker();

Deno.test({
  name: "an episode that leaves sleep 300 running and finishes yields its patch and no error",
  ignore,
  async fn() {
    const { row, log, calls } = await runDemoInstance([fix(), bash("sleep 300"), finish()]);
    assert.equal(row.error, null, log.join("\n"));
    assert.match(row.test_result.git_patch ?? "", FIXED);
    assert.equal(calls, 3, "one attempt, no retry");
    const sleep = row.history!.filter(isObservation).find((e) => e.extras.command === "sleep 300");
    const suffix = (sleep?.extras.metadata as { suffix?: string } | undefined)?.suffix;
    assert.match(suffix ?? "", /no new output after 2 seconds/, "the soft timeout returned it");
    assert.ok(log.some((l) => /still running in the bash session; sending C-c/.test(l)));
    assert.ok(!log.some((l) => /not usable/.test(l)), "the session was usable after C-c");
  },
});

Deno.test({
  name: "a left-running command that ignores C-c: the patch comes through a one-shot shell",
  ignore,
  async fn() {
    const { row, log, calls } = await runDemoInstance([
      fix(),
      bash(`bash -c "trap '' INT; sleep 300"`),
      finish(),
    ]);
    assert.equal(row.error, null, log.join("\n"));
    assert.match(row.test_result.git_patch ?? "", FIXED);
    assert.equal(calls, 3, "one attempt, no retry");
    assert.equal(log.filter((l) => /sending C-c/.test(l)).length, 2);
    assert.ok(log.some((l) => /bash session is not usable; collecting the patch/.test(l)));
  },
});
