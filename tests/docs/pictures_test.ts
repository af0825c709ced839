/**
 * The committed pictures (docs/img/, made by `deno task pictures`): present, listed in
 * docs/README.md by relative paths that resolve, PNGs of the expected size that are not blank
 * files, and an SVG that is well-formed and shows the live view.
 */
import assert from "node:assert/strict";
import { join, normalize } from "node:path";
import { REPO_ROOT } from "../support/demo_image.ts";
import { checkXml } from "./_xml.ts";

const DOCS = join(REPO_ROOT, "docs");
const PICTURES = ["progress.svg", "report.png", "trajectory.png"];

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** The targets of Markdown links and images, `](target)`. */
function linkTargets(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

Deno.test("docs/img holds the pictures, each listed in docs/README.md by a relative path", async () => {
  assert.deepEqual(await listDir(join(DOCS, "img")), PICTURES);
  const readme = await Deno.readTextFile(join(DOCS, "README.md"));
  assert.match(readme, /deno task pictures/);
  const targets = linkTargets(readme);
  for (const target of targets) {
    assert.doesNotMatch(target, /^(\/|[a-z]+:)/i, `${target}: not a relative path`);
    const path = normalize(join(DOCS, target));
    assert.ok(path.startsWith(DOCS + "/"), `${target}: outside docs/`);
    assert.ok((await Deno.stat(path)).isFile, `${target}: no such file`);
  }
  for (const name of PICTURES) {
    const lines = readme.split("\n").filter((line) => line.includes(`](img/${name})`));
    assert.ok(lines.some((line) => line.startsWith("- ")), `img/${name}: no list line about it`);
    assert.ok(lines.some((line) => line.startsWith("![")), `img/${name}: not shown`);
  }
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  assert.match(config.tasks.pictures.command, /docs\/tools\/pictures\.ts$/);
  assert.match(config.tasks.check.command, /--lock=tests\/deno\.lock [^&]*docs\//);
});

Deno.test("docs/img PNGs: 1280 wide, at least 860 high, not blank, under 300 KB", async () => {
  for (const name of ["report.png", "trajectory.png"]) {
    const png = await Deno.readFile(join(DOCS, "img", name));
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], `${name}: PNG`);
    const header = new DataView(png.buffer, png.byteOffset + 16, 8);
    assert.equal(header.getUint32(0), 1280, `${name}: width`);
    assert.ok(header.getUint32(4) >= 860, `${name}: height ${header.getUint32(4)}`);
    // A flat picture compresses to a few KB; these show text, charts and colour.
    assert.ok(png.length > 20_000, `${name}: only ${png.length} bytes`);
    assert.ok(png.length < 300_000, `${name}: ${png.length} bytes`);
  }
});

Deno.test("docs/img/progress.svg is well-formed SVG showing the live progress view", async () => {
  const svg = await Deno.readTextFile(join(DOCS, "img", "progress.svg"));
  const check = checkXml(svg);
  assert.ok(check.ok, check.ok ? "" : check.error);
  assert.equal(check.root, "svg");
  assert.match(
    svg,
    /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="[\d.]+" height="[\d.]+"/,
  );
  const text = check.text.replace(/\s+/g, " ");
  assert.match(text, /\binfer\b/);
  // The overall bar and counter, and instances running with their step.
  assert.match(text, /\[#*-*\] \d+\/8 \$\d+\.\d\d/);
  assert.match(text, /> demo__durations-\d step \d+/);
});
