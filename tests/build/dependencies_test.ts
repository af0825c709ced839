/**
 * What running velora downloads: only the packages velora itself imports. Test-only packages live
 * in `tests/deno.lock` (the tasks `test`, `check` and `bench` pass `--lock=tests/deno.lock`), never
 * in `deno.lock`, because Deno installs every package of the lockfile it runs with.
 *
 * @module
 */

import assert from "node:assert/strict";
import { REPO_ROOT } from "../support/demo_image.ts";

/** Packages that only tests and benchmarks import. */
const TEST_ONLY = ["playwright-core", "s3rver"];
/** Imports no file names, kept to pin the version a package that velora imports peers on. */
const PEERS = ["commander"]; // @commander-js/extra-typings
/** Where velora's own code lives (what `deno run main.ts` can reach). */
const PRODUCT_DIRS = ["main.ts", "src", "runtime-server", "scripts"];

interface Lockfile {
  specifiers: Record<string, string>;
  npm: Record<string, unknown>;
}

async function readLock(path: string): Promise<Lockfile> {
  return JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/${path}`));
}

async function importMap(): Promise<Record<string, string>> {
  return JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`)).imports;
}

async function productSources(): Promise<string> {
  const texts: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await Deno.stat(path);
    if (info.isFile) {
      if (path.endsWith(".ts")) texts.push(await Deno.readTextFile(path));
      return;
    }
    for await (const entry of Deno.readDir(path)) await walk(`${path}/${entry.name}`);
  };
  for (const dir of PRODUCT_DIRS) await walk(`${REPO_ROOT}/${dir}`);
  return texts.join("\n");
}

/** `name@1.2.3_peer@4` → `name`. */
function packageName(key: string): string {
  return key.slice(0, key.indexOf("@", 1));
}

Deno.test("deno.lock holds exactly the packages of deno.json's imports, none of them test-only", async () => {
  const lock = await readLock("deno.lock");
  const imports = Object.values(await importMap()).sort();
  assert.deepEqual(Object.keys(lock.specifiers).sort(), imports);
  const names = new Set(Object.keys(lock.npm).map(packageName));
  for (const name of TEST_ONLY) assert.ok(!names.has(name), `deno.lock has test-only "${name}"`);
});

Deno.test("every import of deno.json is used by velora's own code", async () => {
  const sources = await productSources();
  for (const name of Object.keys(await importMap())) {
    if (PEERS.includes(name)) continue;
    const used = [
      `from "${name}"`,
      `from "${name}/`,
      `import("${name}")`,
      `"${name}/`,
      `="${name}"`,
    ]
      .some((form) => sources.includes(form));
    assert.ok(
      used,
      `deno.json imports "${name}" but main.ts, src/, runtime-server/ and scripts/ never do`,
    );
  }
});

Deno.test("@types/dockerode has dockerode's major version", async () => {
  const imports = await importMap();
  const major = (spec: string) => spec.slice(spec.lastIndexOf("@") + 1).split(".")[0];
  assert.equal(major(imports["@types/dockerode"]!), major(imports["dockerode"]!));
});

Deno.test("tests/deno.lock resolves every package of deno.lock to the same version", async () => {
  const product = await readLock("deno.lock");
  const tests = await readLock("tests/deno.lock");
  for (const [spec, version] of Object.entries(product.specifiers)) {
    assert.equal(tests.specifiers[spec], version, spec);
  }
  for (const key of Object.keys(product.npm)) assert.ok(key in tests.npm, key);
});

Deno.test({
  name: "deno run main.ts --help in an empty DENO_DIR downloads no test-only package",
  async fn() {
    const denoDir = await Deno.makeTempDir({ prefix: "velora-deno-dir-" });
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--frozen", "main.ts", "--help"],
        cwd: REPO_ROOT,
        env: { DENO_DIR: denoDir, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      assert.match(new TextDecoder().decode(out.stdout), /Usage: velora/);
      // One folder per registry host (registry.npmjs.org, or a mirror's), then one per package.
      const fetched: string[] = [];
      for await (const registry of Deno.readDir(`${denoDir}/npm`)) {
        for await (const entry of Deno.readDir(`${denoDir}/npm/${registry.name}`)) {
          fetched.push(entry.name);
        }
      }
      assert.ok(fetched.includes("commander"), "nothing was downloaded?");
      const product = new Set(Object.keys((await readLock("deno.lock")).npm).map(packageName));
      const extra = fetched.filter((name) => !name.startsWith("@") && !product.has(name));
      assert.deepEqual(extra, [], "downloaded packages that deno.lock does not hold");
      for (const name of TEST_ONLY) assert.ok(!fetched.includes(name), name);
    } finally {
      await Deno.remove(denoDir, { recursive: true });
    }
  },
});
