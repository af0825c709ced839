import assert from "node:assert/strict";
import {
  BACKGROUND,
  color256,
  escapeXml,
  FOREGROUND,
  PALETTE,
  stripAnsi,
  terminalSvg,
} from "../../docs/tools/terminal_svg.ts";
import { checkXml } from "./_xml.ts";

const E = "\x1b";

/** The `<tspan>`s of an SVG as {x, attributes, text}. */
function spans(svg: string): { x: number; attrs: string; text: string }[] {
  return [...svg.matchAll(/<tspan x="([\d.]+)"([^>]*)>([^<]*)<\/tspan>/g)].map((m) => ({
    x: Number(m[1]),
    attrs: m[2]!.trim(),
    text: m[3]!,
  }));
}

function wellFormed(svg: string): string {
  const check = checkXml(svg);
  assert.ok(check.ok, check.ok ? "" : `${check.error}\n${svg}`);
  assert.equal(check.root, "svg");
  return check.text;
}

Deno.test("terminalSvg: size from the pane, dark background, text XML-escaped", () => {
  const svg = terminalSvg(`Run "p" <a> & 'b'\n`, { columns: 80, rows: 24, title: "a & b" });
  const text = wellFormed(svg);
  // 14px font: cells of 8.4 × 18.2 px, 14 px padding.
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="700" height="464.8"/);
  assert.match(svg, /viewBox="0 0 700 464.8"/);
  assert.match(svg, new RegExp(`<rect width="100%" height="100%" rx="6" fill="${BACKGROUND}"/>`));
  assert.match(svg, new RegExp(`font-size="14" fill="${FOREGROUND}"`));
  assert.match(svg, /monospace/);
  assert.match(svg, /<title>a &amp; b<\/title>/);
  assert.match(text, /Run "p" <a> & 'b'/);
  assert.deepEqual(spans(svg).map((s) => s.text), [
    "Run",
    "&quot;p&quot;",
    "&lt;a&gt;",
    "&amp;",
    "&apos;b&apos;",
  ]);
  assert.equal(escapeXml(`<&>"'`), "&lt;&amp;&gt;&quot;&apos;");
});

Deno.test("terminalSvg: every word sits at its column, lines at their rows", () => {
  const svg = terminalSvg("ab   cd\n\n\tx", { columns: 40, rows: 5 });
  wellFormed(svg);
  assert.deepEqual(spans(svg).map((s) => [s.text, s.x]), [
    ["ab", 14],
    ["cd", 14 + 5 * 8.4],
    ["x", 14 + 8 * 8.4], // a tab goes to column 8
  ]);
  const ys = [...svg.matchAll(/<text y="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(ys, [28.2, 28.2 + 2 * 18.2].map((y) => Math.round(y * 100) / 100));
});

Deno.test("terminalSvg: SGR colours 30–37, 90–97, bold, dim and resets are mapped", () => {
  const line = `${E}[31mred${E}[0m plain ${E}[1;92mok${E}[22m ${E}[2;34mdim${E}[39m end${E}[m`;
  const svg = terminalSvg(line, { columns: 60, rows: 2 });
  wellFormed(svg);
  assert.deepEqual(spans(svg), [
    { x: 14, attrs: `fill="${PALETTE[1]}"`, text: "red" },
    { x: 14 + 4 * 8.4, attrs: "", text: "plain" },
    { x: 14 + 10 * 8.4, attrs: `fill="${PALETTE[10]}" font-weight="bold"`, text: "ok" },
    { x: 14 + 13 * 8.4, attrs: `fill="${PALETTE[4]}" opacity="0.6"`, text: "dim" },
    { x: 14 + 17 * 8.4, attrs: 'opacity="0.6"', text: "end" },
  ]);
  for (let n = 0; n < 8; n++) {
    const fg = spans(terminalSvg(`${E}[${30 + n}mx ${E}[${90 + n}my`, { columns: 9, rows: 1 }));
    assert.deepEqual(fg.map((s) => s.attrs), [`fill="${PALETTE[n]}"`, `fill="${PALETTE[n + 8]}"`]);
  }
});

Deno.test("terminalSvg: 256 and true colours, backgrounds and inverse", () => {
  const svg = terminalSvg(
    `${E}[38;5;196ma ${E}[38;2;1;2;3mb ${E}[0;41mc${E}[49m ${E}[7md${E}[27m e`,
    { columns: 20, rows: 1 },
  );
  wellFormed(svg);
  assert.deepEqual(spans(svg).map((s) => s.attrs), [
    'fill="#ff0000"',
    'fill="#010203"',
    "",
    `fill="${BACKGROUND}"`,
    "",
  ]);
  assert.match(
    svg,
    new RegExp(`<rect x="47.6" y="14" width="8.4" height="18.2" fill="${PALETTE[1]}"/>`),
  );
  assert.match(
    svg,
    new RegExp(`<rect x="64.4" y="14" width="8.4" height="18.2" fill="${FOREGROUND}"/>`),
  );
  assert.equal(color256(16), "#000000");
  assert.equal(color256(231), "#ffffff");
  assert.equal(color256(244), "#808080");
  assert.equal(color256(9), PALETTE[9]);
});

Deno.test("terminalSvg: other escapes and control characters are dropped; the pane size cuts", () => {
  const capture = [
    `${E}[2K${E}[1G${E}[?25lcursor ${E}]0;title${E}\\mo${E}(Bves${E}7 ok\x07\x00`,
    `${E}[32mstyle carries`,
    "over",
    "line four is past the last row",
  ].join("\r\n");
  const svg = terminalSvg(capture, { columns: 12, rows: 3 });
  const text = wellFormed(svg);
  assert.deepEqual(spans(svg).map((s) => s.text), ["cursor", "moves", "style", "carrie", "over"]);
  assert.equal(spans(svg).at(-1)!.attrs, `fill="${PALETTE[2]}"`);
  assert.doesNotMatch(text, /title|ok|four/);
  assert.equal(stripAnsi(capture.split("\r\n")[0]!), "cursor moves ok\x07\x00");
});

Deno.test("checkXml finds what is not well-formed", () => {
  assert.deepEqual(checkXml("<a x='1'><b/>t &amp; u</a>"), { ok: true, root: "a", text: "t & u" });
  for (const bad of ["<a>", "<a></b>", "<a>&</a>", "<a x=1/>", "<a/><b/>", "<a>x < y</a>", "t"]) {
    assert.equal(checkXml(bad).ok, false, bad);
  }
});
