import assert from "node:assert/strict";
import {
  checkImports,
  importLoops,
  layerOf,
  LAYERS,
  repositoryImports,
} from "../../scripts/check_layers.ts";

Deno.test("layerOf() names the folder under src/, ground for src/'s own files", () => {
  assert.equal(layerOf("src/errors.ts"), "ground");
  assert.equal(layerOf("src/agent/llm/llm.ts"), "agent");
  assert.equal(layerOf("runtime-server/main.ts"), "runtime-server");
  assert.equal(layerOf("main.ts"), "main");
  assert.equal(layerOf("tests/cli/run_test.ts"), "outside");
});

Deno.test("checkImports() reports an import that climbs up, naming both files", () => {
  const lines = checkImports([
    { from: "src/pipeline/runner.ts", to: "src/errors.ts" },
    { from: "src/cli/run.ts", to: "src/pipeline/runner.ts" },
    { from: "src/dataset/select.ts", to: "src/evaluate/verdict.ts" },
  ]);
  assert.deepEqual(lines, [
    "src/dataset/select.ts imports src/evaluate/verdict.ts: dataset may not import evaluate, " +
    "which is above it",
  ]);
});

Deno.test("checkImports() reports ground files, unknown folders, runtime-server/ and main.ts", () => {
  const lines = checkImports([
    { from: "src/errors.ts", to: "src/docker/client.ts" },
    { from: "src/attic/old.ts", to: "src/errors.ts" },
    { from: "runtime-server/server.ts", to: "src/errors.ts" },
    { from: "src/runtime/protocol.ts", to: "runtime-server/observations.ts" },
    { from: "src/cli/run.ts", to: "main.ts" },
    { from: "tests/x_test.ts", to: "src/cli/run.ts" },
  ]);
  assert.deepEqual(lines, [
    "runtime-server/server.ts imports src/errors.ts: runtime-server/ is standalone and imports " +
    "nothing outside itself",
    'src/attic/old.ts imports src/errors.ts: folder "attic" is not in the layer order ' +
    "(scripts/check_layers.ts)",
    "src/cli/run.ts imports main.ts: nothing in src/ imports main.ts",
    "src/errors.ts imports src/docker/client.ts: ground may not import docker, which is above it",
  ]);
});

Deno.test("checkImports() reports a loop of files inside one folder", () => {
  const edges = [
    { from: "src/images/source.ts", to: "src/images/source_s3.ts" },
    { from: "src/images/source_s3.ts", to: "src/images/source.ts" },
    { from: "src/images/loader.ts", to: "src/images/source.ts" },
  ];
  assert.deepEqual(importLoops(edges), [["src/images/source.ts", "src/images/source_s3.ts"]]);
  assert.deepEqual(checkImports(edges), [
    "src/images/source.ts imports itself through src/images/source_s3.ts: a loop",
  ]);
});

Deno.test("every folder of src/ has a place in the layer order", async () => {
  for await (const entry of Deno.readDir(new URL("../../src/", import.meta.url))) {
    if (entry.isDirectory) assert.ok(LAYERS.includes(entry.name), entry.name);
  }
});

Deno.test("the repository passes the layer check", async () => {
  const edges = await repositoryImports();
  assert.ok(edges.length > 300, `only ${edges.length} imports found`);
  assert.deepEqual(checkImports(edges), []);
});
