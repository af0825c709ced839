import assert from "node:assert/strict";
import { renderProgress } from "../../src/infer/progress.ts";
import { LiveProgress } from "../../src/progress.ts";
import { renderStatus } from "../../src/ui/status_table.ts";

Deno.test("renderProgress() shows the bar, cost, ETA, exit statuses and running instances", () => {
  const text = renderProgress({
    total: 10,
    done: 4,
    cost: 1.234,
    elapsedSeconds: 120,
    statuses: new Map([["ok", 3], ["error: AgentRuntimeError", 1]]),
    running: new Map([["org__repo-7", { iteration: 12, last: "run pytest -q", startedAt: 0 }]]),
    now: 65_000,
  });
  const lines = text.split("\n");
  assert.equal(lines[0], "[############------------------] 4/10 $1.23  elapsed 2m 00s  eta 3m 00s");
  assert.equal(lines[1], "      3  ok");
  assert.equal(lines[2], "      1  error: AgentRuntimeError");
  assert.match(lines[3]!, /^ {2}> org__repo-7 +step +12 +1m 05s +run pytest -q$/);
});

Deno.test("renderProgress() without cost or steps: the view evaluate and derive show", () => {
  const text = renderProgress({
    total: 4,
    done: 1,
    cost: 0,
    elapsedSeconds: 30,
    statuses: new Map([["resolved", 1]]),
    running: new Map([["org__repo-2", { iteration: 0, last: "evaluating", startedAt: 0 }]]),
    now: 12_000,
    showCost: false,
    showSteps: false,
  });
  const lines = text.split("\n");
  assert.equal(lines[0], "[########----------------------] 1/4 elapsed 30.0s  eta 1m 30s");
  assert.equal(lines[1], "      1  resolved");
  assert.match(lines[2]!, /^ {2}> org__repo-2 +12\.0s {2}evaluating$/);
});

Deno.test("LiveProgress off a terminal: one plain line per instance started and finished", () => {
  const lines: string[] = [];
  const evaluate = new LiveProgress(2, (line) => lines.push(line), {
    cost: false,
    steps: false,
    live: false,
  });
  evaluate.start("a", "evaluating");
  evaluate.finish("a", { status: "resolved", detail: "resolved: all tests passed" });
  evaluate.close();
  const infer = new LiveProgress(1, (line) => lines.push(line), { live: false });
  infer.start("b");
  infer.note("b", "run pytest\n-q", true);
  infer.finish("b", { status: "ok", cost: 0.5 });
  infer.close();
  assert.deepEqual(lines, [
    "[0/2] a: started",
    "[1/2] a: resolved: all tests passed",
    "[0/1] b: started",
    "[1/1] b: ok ($0.5000, total $0.5000)",
  ]);
});

Deno.test("renderStatus() marks a running phase without a live driver as stale", () => {
  const text = renderStatus({
    runDir: "runs/x",
    state: {
      version: 1,
      name: "x",
      pipeline: { file: "p.toml", text: "", overrides: [] },
      created_at: "",
      updated_at: "",
      phases: [{
        name: "infer",
        kind: "infer",
        status: "running",
        fingerprint: {},
        attempts: 1,
        started_at: "2026-01-01T00:00:00Z",
      }],
    },
    now: new Date("2026-01-01T00:01:30Z"),
  });
  assert.match(text, /^infer +infer +running \(stale\) +1m 30s$/m);
});
