/** The parts of the Kubernetes backend that need no cluster (tests/k8s/ has the rest). */
import assert from "node:assert/strict";
import { KubeBackend, labelValue } from "../../src/runtime/kube_backend.ts";
import { describeRunner } from "../../src/runtime/inject.ts";
import { BOOT_DIR, installCommand, runtimeImageFiles } from "../../src/runtime/runtime_image.ts";
import { planInjection } from "../../src/runtime/inject.ts";
import { velora } from "../support/velora.ts";

Deno.test("labelValue() makes any text a valid Kubernetes label value", () => {
  const valid = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
  for (
    const value of [
      "infer-0123456789abcdef",
      "org/repo#12",
      "-leading and trailing-",
      "x".repeat(100),
      "é",
    ]
  ) {
    const label = labelValue(value);
    assert.match(label, valid, value);
    assert.ok(label.length > 0 && label.length <= 63, value);
  }
  assert.equal(labelValue("infer-0123"), "infer-0123");
  assert.equal(labelValue("org/repo#12"), "org_repo_12");
});

Deno.test("the runtime image carries the mounted files at their sandbox paths, the loader and libraries", async () => {
  const runner = describeRunner({
    mode: "source",
    execPath: Deno.execPath(),
    mainModule: import.meta.url,
  });
  const files = await runtimeImageFiles(runner);
  const paths = files.map((f) => f.path);
  assert.ok(paths.includes("/velora/bin/deno"));
  assert.ok(paths.includes("/velora/runtime-server/main.ts"));
  assert.ok(paths.includes("/velora/runtime-server/install.ts"));
  assert.ok(paths.includes(`${BOOT_DIR}/ld.so`));
  assert.ok(paths.includes(`${BOOT_DIR}/lib/libc.so.6`));

  const injection = planInjection(runner, { port: 0, workingDir: "/" });
  const command = installCommand(injection, "/target");
  assert.deepEqual(command.slice(0, 4), [
    `${BOOT_DIR}/ld.so`,
    "--library-path",
    `${BOOT_DIR}/lib`,
    "/velora/bin/deno",
  ]);
  assert.deepEqual(command.slice(-3), ["--install", "/velora", "/target"]);
});

Deno.test("the install step of the runtime image copies the tree with its modes", async () => {
  const from = await Deno.makeTempDir();
  const to = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${from}/bin`);
    await Deno.writeTextFile(`${from}/bin/tool`, "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(`${from}/readme`, "hi", { mode: 0o644 });
    const server = new URL("../../runtime-server/main.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-config", "--no-lock", server, "--install", from, `${to}/v`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal((await Deno.stat(`${to}/v/bin/tool`)).mode! & 0o777, 0o755);
    assert.equal(await Deno.readTextFile(`${to}/v/readme`), "hi");
  } finally {
    await Deno.remove(from, { recursive: true });
    await Deno.remove(to, { recursive: true });
  }
});

Deno.test("--backend kubernetes without --registry is a usage error naming the flag", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/tasks.jsonl`, "");
    const result = await velora(
      ["validate", "tasks.jsonl", "--backend", "kubernetes"],
      { cwd: dir },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr.trim(), /^[^\n]*--backend kubernetes needs --registry[^\n]*$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test('backend = "kubernetes" without registry fails when the pipeline loads', async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/p.toml`,
      'name = "x"\noutput_dir = "run"\n\n[[phases]]\nkind = "evaluate"\nbackend = "kubernetes"\n',
    );
    const result = await velora(["run", "p.toml"], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /p\.toml:\d+:\d+: phases\[0\]\.registry: required with "backend" = "kubernetes"/,
    );
    assert.equal(result.stderr.trim().split("\n").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing image on Kubernetes names its registry name and how to push it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kubeconfig = `${dir}/config`;
    await Deno.writeTextFile(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]",
        "users: [{name: u, user: {token: t}}]",
        "contexts: [{name: x, context: {cluster: c, user: u, namespace: team}}]",
        "current-context: x",
      ].join("\n"),
    );
    const backend = await KubeBackend.open({ kubeconfig, registry: "reg.example:5000/ml" });
    assert.equal(backend.where, "kubernetes x/team (https://127.0.0.1:1)");
    assert.equal(
      backend.missingImage("docker.io/org/img:1"),
      'image "docker.io/org/img:1" is not in the registry as "reg.example:5000/ml/org/img:1"; ' +
        "push it with `velora images load <tar|s3://|https://> --registry reg.example:5000/ml` " +
        "or a load-images phase with `registry`",
    );
    await assert.rejects(
      KubeBackend.open({ kubeconfig, registry: "r:1", context: "nope" }),
      /kubernetes\.context: "nope" is not in the kubeconfig \(contexts: x\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
