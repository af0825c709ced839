/** The `engines` key and the `--engine` flag: what they accept and how they refuse the rest. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { engineFlag } from "../../src/cli/_backend_flags.ts";
import { parseSource } from "../../src/config/source.ts";
import { ConfigError } from "../../src/errors.ts";
import { buildPlan } from "../../src/pipeline/load.ts";
import { PHASE_KINDS } from "../../src/phases/mod.ts";
import { REPO_ROOT } from "../support/demo_image.ts";
import { velora } from "../support/velora.ts";

function inferPlan(keys: string) {
  const text =
    `name = "e"\noutput_dir = "o"\n[[phases]]\nkind = "infer"\ndataset = "d.jsonl"\n${keys}`;
  return buildPlan(parseSource("p.toml", text), PHASE_KINDS, { env: () => undefined, cwd: "/w" });
}

function configError(keys: string): string {
  try {
    inferPlan(keys);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

Deno.test("engines: a capacity each (default 4) and tls files for tcp", () => {
  const plan = inferPlan(
    `engines = [{ url = "unix:///var/run/docker.sock" }, ` +
      `{ url = "tcp://10.0.0.5:2376", capacity = 8, tls = { ca = "ca.pem", cert = "c.pem", key = "k.pem" } }]\n`,
  );
  assert.deepEqual(plan.phases[0]!.params.engines, [
    { url: "unix:///var/run/docker.sock", capacity: 4 },
    {
      url: "tcp://10.0.0.5:2376",
      capacity: 8,
      tls: { ca: "ca.pem", cert: "c.pem", key: "k.pem" },
    },
  ]);
});

Deno.test("engines: bad URLs, tls off tcp, zero capacity and Kubernetes are refused at load", () => {
  assert.match(
    configError(`engines = [{ url = "unix:///a.sock" }, { url = "http://10.0.0.5:2375" }]\n`),
    /^p\.toml:6:\d+: phases\[0\]\.engines\[1\]\.url: unknown scheme \(expected unix:\/\/\/path, tcp:\/\/host\[:port\] or ssh:\/\/\[user@\]host\[:port\]\)$/,
  );
  assert.match(
    configError(`engines = [{ url = "ssh://b", tls = { ca = "a", cert = "b", key = "c" } }]\n`),
    /phases\[0\]\.engines\[0\]\.tls: only for tcp:\/\/ engines$/,
  );
  assert.match(
    configError(`engines = [{ url = "unix:///a.sock", capacity = 0 }]\n`),
    /phases\[0\]\.engines\[0\]\.capacity: /,
  );
  assert.match(configError(`engines = []\n`), /phases\[0\]\.engines: /);
  assert.match(
    configError(
      `backend = "kubernetes"\nregistry = "127.0.0.1:5000"\nengines = [{ url = "unix:///a.sock" }]\n`,
    ),
    /phases\[0\]\.engines: only with "backend" = "docker" \(the cluster places the pods\)$/,
  );
});

Deno.test("--engine <url>[=<capacity>] reads as an engine", () => {
  assert.deepEqual(engineFlag("unix:///var/run/docker.sock"), {
    url: "unix:///var/run/docker.sock",
  });
  assert.deepEqual(engineFlag("tcp://10.0.0.5:2375=8"), {
    url: "tcp://10.0.0.5:2375",
    capacity: 8,
  });
  assert.deepEqual(engineFlag("ssh://ci@b=2"), { url: "ssh://ci@b", capacity: 2 });
});

Deno.test("--engine with a bad URL exits 2 with one line, as a phase's flag and as validate's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-engine-flag-" });
  try {
    const dataset = join(dir, "d.jsonl");
    await Deno.copyFile(`${REPO_ROOT}data/demo/tasks.jsonl`, dataset);
    const infer = await velora(
      ["infer", "--dataset", dataset, "--agent-cls", "DummyAgent", "--engine", "http://x:1=2"],
      { cwd: dir },
    );
    assert.equal(infer.code, 2, infer.stderr);
    assert.match(
      infer.stderr.trim(),
      /^velora: Cannot use --engine "http:\/\/x:1": unknown scheme \(expected unix:/,
    );
    assert.equal(infer.stderr.trim().split("\n").length, 1, infer.stderr);
    const validate = await velora(["validate", dataset, "--engine", "unix://relative.sock"], {
      cwd: dir,
    });
    assert.equal(validate.code, 2, validate.stderr);
    assert.match(
      validate.stderr.trim(),
      /^velora: --engine: engine URL "unix:\/\/relative\.sock": the socket path must be absolute/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
