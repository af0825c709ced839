/**
 * The README is a front page and the reference lives in docs/: the key tables of
 * docs/pipelines.md are the phase schemas' (scripts/docs.ts), every link points at a file that
 * exists, and the README shows a picture from the repository.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { PHASE_KINDS } from "../../src/phases/mod.ts";
import { keyTable, withKeyTables } from "../../scripts/docs.ts";
import { REPO_ROOT } from "../support/demo_image.ts";

const read = (path: string) => Deno.readTextFile(join(REPO_ROOT, path));

Deno.test("docs/pipelines.md key tables match the phase schemas (deno task docs)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", "scripts/docs.ts", "--check"],
    cwd: REPO_ROOT,
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const text = await read("docs/pipelines.md");
  for (const kind of ["pipeline", ...PHASE_KINDS.keys()]) {
    assert.ok(text.includes(`<!-- keys: ${kind} -->`), `no key table for ${kind}`);
  }
});

Deno.test("every key of every phase kind has a meaning in its table", () => {
  for (const kind of ["pipeline", ...PHASE_KINDS.keys()]) {
    for (const row of keyTable(kind).split("\n").slice(2)) {
      const meaning = row.split(" | ").at(-1)!.replace(/\|$/, "").trim();
      assert.ok(meaning.length > 0, `${kind}: ${row}`);
    }
  }
});

Deno.test("a table that drifted from the schema is rewritten", () => {
  const stale = "<!-- keys: shell -->\n| key |\n| --- |\n| `cmd` |\n<!-- end keys -->";
  const fresh = withKeyTables(stale);
  assert.match(fresh, /\| `command` \| string or list of strings \| required \|/);
  assert.doesNotMatch(fresh, /`cmd`/);
});

Deno.test("README is a front page: at most 25 KB, a picture from docs/img, links that resolve", async () => {
  const readme = await read("README.md");
  assert.ok(new TextEncoder().encode(readme).length <= 25 * 1024, "README over 25 KB");
  assert.match(readme, /!\[[^\]]*\]\(docs\/img\/[^)]+\)/);
  for (const file of ["README.md", ...(await docs())]) {
    const text = await read(file);
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const path = join(REPO_ROOT, dirname(file), target!);
      assert.ok(await Deno.stat(path).then(() => true, () => false), `${file} links ${target}`);
    }
  }
});

async function docs(): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(REPO_ROOT, "docs"))) {
    if (entry.name.endsWith(".md")) out.push(`docs/${entry.name}`);
  }
  return out;
}
