import assert from "node:assert/strict";
import { exitCodeOf } from "../../src/kube/exec.ts";

Deno.test("exitCodeOf() reads the exec's final status", () => {
  assert.equal(exitCodeOf({ status: "Success" }), 0);
  assert.equal(
    exitCodeOf({
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "7" }] },
    }),
    7,
  );
  assert.throws(
    () => exitCodeOf({ status: "Failure", message: "container not found" }),
    /exec failed: container not found/,
  );
  assert.throws(() => exitCodeOf(undefined), /sent no status/);
});
