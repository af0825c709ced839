import assert from "node:assert/strict";
import { join } from "node:path";
import { velora } from "../support/velora.ts";

async function dryRun(phase: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "velora-image-schema-" });
  try {
    await Deno.writeTextFile(
      join(dir, "p.toml"),
      `name = "x"\noutput_dir = "run"\n\n[[phases]]\n${phase}\n`,
    );
    return await velora(["run", "p.toml", "--dry-run"], { cwd: dir });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("load-images needs a source or a dataset: one line with the place", async () => {
  const result = await dryRun('kind = "load-images"\nparallel = 2');
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr.trim(),
    'velora: p.toml:4:1: phases[0].source: give "source" (folders, paths or URIs), ' +
      '"dataset" (a JSONL file), or both',
  );
});

Deno.test("load-images rejects an unknown tag placeholder and a misspelt key", async () => {
  const bad = await dryRun('kind = "load-images"\nsource = "t"\ntags = ["a/{nope}:x"]');
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr.trim(),
    "velora: p.toml:7:1: phases[0].tags[0]: unknown placeholder {nope}: use {instance_id}, " +
      "{id}, {org}, {repo} or {number}",
  );
  const typo = await dryRun('kind = "load-images"\nsource = "t"\nparalel = 3');
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown key "paralel" \(did you mean "parallel"\?\)/);
});

Deno.test('load-images `registry`: host[:port][/path], and only with load = "all"', async () => {
  const scheme = await dryRun('kind = "load-images"\nsource = "t"\nregistry = "http://r.io"');
  assert.equal(scheme.code, 2);
  assert.equal(
    scheme.stderr.trim(),
    "velora: p.toml:7:1: phases[0].registry: no scheme (http://); expected a registry as " +
      "host[:port][/path], such as 127.0.0.1:5000 or registry.example.com/team",
  );
  const hub = await dryRun('kind = "load-images"\nsource = "t"\nregistry = "team/images"');
  assert.equal(hub.code, 2);
  assert.match(hub.stderr, /phases\[0\]\.registry: "team" is not a host/);
  const perInstance = await dryRun(
    'kind = "load-images"\nsource = "t"\nload = "per-instance"\nregistry = "127.0.0.1:5000"',
  );
  assert.equal(perInstance.code, 2);
  assert.equal(
    perInstance.stderr.trim(),
    'velora: p.toml:8:1: phases[0].registry: "registry" needs `load = "all"`: per-instance ' +
      "images are not pushed",
  );
  const fine = await dryRun('kind = "load-images"\nsource = "t"\nregistry = "127.0.0.1:5000"');
  assert.equal(fine.code, 0, fine.stderr);
  assert.match(fine.stdout, /registry: 127\.0\.0\.1:5000/);
});

Deno.test("image phase kinds and their defaults appear in the resolved plan", async () => {
  const result = await dryRun(
    'kind = "preflight"\n\n[[phases]]\nkind = "load-images"\ndataset = "d.jsonl"\n\n' +
      '[[phases]]\nkind = "cleanup-images"',
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /min_free_disk_gb: 10\n\s+min_free_memory_gb: 4\n\s+reap: true/);
  assert.match(
    result.stdout,
    /load: all\n\s+parallel: 2\n\s+tags:\n\s+- mswebench\/sweb\.eval\.x86_64\.\{id\}:latest\n\s+- mswebench\/\{org\}_m_\{repo\}:pr-\{number\}/,
  );
  assert.match(
    result.stdout,
    /kind: cleanup-images\n\s+action: run\n\s+params:\n\s+dangling: false/,
  );
});
