import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../src/errors.ts";
import { currentRunner, describeRunner, planInjection } from "../../src/runtime/inject.ts";
import { detectRunMode, runMode } from "../../src/version.ts";

const ARGS = { port: 31234, workingDir: "/workspace" };
const SERVER_ARGS = [
  "31234",
  "--working-dir",
  "/workspace",
  "--host",
  "127.0.0.1",
  "--username",
  "root",
  "--user-id",
  "0",
  "--no-enable-browser",
];
const DENO_RUN = ["run", "-A", "--no-config", "--no-lock", "--quiet"];
const REPO = new URL("../../", import.meta.url);

Deno.test("planInjection() in compiled mode mounts the running executable and runs runtime-server", () => {
  const plan = planInjection({ mode: "compiled", execPath: "/opt/bin/velora" }, ARGS);
  assert.deepEqual(plan.binds, ["/opt/bin/velora:/velora/bin/velora:ro"]);
  assert.deepEqual(plan.entrypoint, ["/velora/bin/velora"]);
  assert.deepEqual(plan.launch, ["runtime-server"]);
  assert.deepEqual(plan.cmd, ["runtime-server", ...SERVER_ARGS]);
  assert.equal(plan.env.DENO_DIR, "/tmp/.velora-deno");
});

Deno.test("planInjection() from source mounts deno and runtime-server/ read-only and runs main.ts", () => {
  const plan = planInjection(
    { mode: "source", execPath: "/usr/lib/deno/deno", serverDir: "/src/velora/runtime-server" },
    ARGS,
  );
  assert.deepEqual(plan.binds, [
    "/usr/lib/deno/deno:/velora/bin/deno:ro",
    "/src/velora/runtime-server:/velora/runtime-server:ro",
  ]);
  assert.deepEqual(plan.entrypoint, ["/velora/bin/deno"]);
  assert.deepEqual(plan.cmd, [...DENO_RUN, "/velora/runtime-server/main.ts", ...SERVER_ARGS]);
  assert.equal(plan.env.DENO_DIR, "/tmp/.velora-deno");
});

Deno.test("planInjection() as a bundle mounts deno and the bundle and runs `velora.js runtime-server`", () => {
  const plan = planInjection(
    { mode: "bundle", execPath: "/usr/bin/deno", bundleFile: "/opt/velora/velora.js" },
    ARGS,
  );
  assert.deepEqual(plan.binds, [
    "/usr/bin/deno:/velora/bin/deno:ro",
    "/opt/velora/velora.js:/velora/velora.js:ro",
  ]);
  assert.deepEqual(plan.entrypoint, ["/velora/bin/deno"]);
  assert.deepEqual(plan.launch, [...DENO_RUN, "/velora/velora.js", "runtime-server"]);
  assert.deepEqual(plan.cmd, [...plan.launch, ...SERVER_ARGS]);
  assert.equal(plan.env.DENO_DIR, "/tmp/.velora-deno");
});

Deno.test("planInjection() mounts a warm Deno cache read-only from source only", () => {
  const cacheDir = "/home/u/.cache/velora/runtime-server/abc";
  const source = planInjection({ mode: "source", execPath: "/d", serverDir: "/s" }, ARGS, cacheDir);
  assert.ok(source.binds.includes(`${cacheDir}:/velora/cache:ro`));
  assert.equal(source.env.DENO_DIR, "/velora/cache");
  assert.deepEqual(source.cmd.slice(0, source.launch.length), source.launch);
  for (
    const runner of [
      { mode: "bundle", execPath: "/d", bundleFile: "/b/velora.js" },
      { mode: "compiled", execPath: "/v" },
    ] as const
  ) {
    const plan = planInjection(runner, ARGS, cacheDir);
    assert.ok(!plan.binds.some((bind) => bind.startsWith(cacheDir)), runner.mode);
    assert.equal(plan.env.DENO_DIR, "/tmp/.velora-deno", runner.mode);
  }
});

Deno.test("planInjection() refuses a runner that lacks the files its mode mounts", () => {
  assert.throws(() => planInjection({ mode: "source", execPath: "/d" }, ARGS), /runtime-server/);
  assert.throws(() => planInjection({ mode: "bundle", execPath: "/d" }, ARGS), /bundle file/);
});

Deno.test("detectRunMode(): compiled when standalone, bundle when a velora module is the main module", () => {
  const url = "file:///opt/velora/velora.js";
  assert.equal(detectRunMode({ standalone: true, moduleUrl: url, mainModule: url }), "compiled");
  assert.equal(detectRunMode({ standalone: false, moduleUrl: url, mainModule: url }), "bundle");
  assert.equal(
    detectRunMode({
      standalone: false,
      moduleUrl: "file:///src/velora/src/version.ts",
      mainModule: "file:///src/velora/main.ts",
    }),
    "source",
  );
  // This test file is the main module and src/version.ts another module: source.
  assert.equal(runMode(), "source");
});

Deno.test("describeRunner() gives each mode the files it mounts", () => {
  assert.deepEqual(
    describeRunner({ mode: "compiled", execPath: "/opt/velora", mainModule: "file:///x/main.ts" }),
    { mode: "compiled", execPath: "/opt/velora" },
  );
  assert.deepEqual(
    describeRunner({
      mode: "bundle",
      execPath: "/usr/bin/deno",
      mainModule: "file:///d/velora.js",
    }),
    { mode: "bundle", execPath: "/usr/bin/deno", bundleFile: "/d/velora.js" },
  );
  assert.throws(
    () =>
      describeRunner({
        mode: "bundle",
        execPath: "/usr/bin/deno",
        mainModule: "https://example.com/velora.js",
      }),
    /not a local file/,
  );
  const source = describeRunner({
    mode: "source",
    execPath: "/usr/bin/deno",
    mainModule: "file:///x/main.ts",
  });
  assert.equal(source.serverDir, join(REPO.pathname, "runtime-server"));
  // A Linux velora named by VELORA_SANDBOX_EXECUTABLE wins over every mode.
  for (const mode of ["source", "bundle", "compiled"] as const) {
    assert.deepEqual(
      describeRunner({
        mode,
        execPath: "/usr/bin/deno",
        mainModule: "file:///d/velora.js",
        sandboxExecutable: "/opt/velora-linux",
      }),
      { mode: "compiled", execPath: "/opt/velora-linux" },
    );
  }
});

Deno.test("currentRunner() from source points at this checkout's runtime-server/main.ts", async () => {
  const runner = currentRunner();
  assert.equal(runner.mode, "source");
  assert.ok(runner.serverDir);
  assert.ok((await Deno.stat(`${runner.serverDir}/main.ts`)).isFile);
  assert.equal(runner.execPath, await Deno.realPath(Deno.execPath()));
});

Deno.test("currentRunner() mounts VELORA_SANDBOX_EXECUTABLE when set, and names it when missing", () => {
  const previous = Deno.env.get("VELORA_SANDBOX_EXECUTABLE");
  try {
    Deno.env.set("VELORA_SANDBOX_EXECUTABLE", Deno.execPath());
    assert.deepEqual(currentRunner(), {
      mode: "compiled",
      execPath: Deno.realPathSync(Deno.execPath()),
    });
    Deno.env.set("VELORA_SANDBOX_EXECUTABLE", "/nonexistent/velora");
    assert.throws(
      () => currentRunner(),
      (error) =>
        error instanceof UsageError &&
        error.message === 'VELORA_SANDBOX_EXECUTABLE="/nonexistent/velora" is not a file',
    );
  } finally {
    if (previous === undefined) Deno.env.delete("VELORA_SANDBOX_EXECUTABLE");
    else Deno.env.set("VELORA_SANDBOX_EXECUTABLE", previous);
  }
});

Deno.test("planInjection() passes --owner-timeout to the server when one is set", () => {
  const runner = { mode: "compiled" as const, execPath: "/opt/bin/velora" };
  const plan = planInjection(runner, { ...ARGS, ownerTimeout: 30 });
  assert.deepEqual(plan.cmd, ["runtime-server", ...SERVER_ARGS, "--owner-timeout", "30"]);
  const off = planInjection(runner, { ...ARGS, ownerTimeout: 0 });
  assert.deepEqual(off.cmd, ["runtime-server", ...SERVER_ARGS]);
});
