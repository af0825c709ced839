/**
 * Renders a terminal capture (text with ANSI SGR escapes, as `tmux capture-pane -p -e` prints it)
 * to a standalone SVG picture: monospace text on a dark background, one `<text>` per line and one
 * `<tspan>` per word, each placed at its column so the grid holds in any font and renderer.
 *
 * Understood: SGR 0 (reset), 1 (bold), 2 (dim), 22 (normal intensity), 7/27 (inverse), 30–37 and
 * 90–97 (foreground), 39 (default foreground), 40–47 and 100–107 (background), 49 (default
 * background), 38/48;5;n (256 colours) and 38/48;2;r;g;b (true colour). Other escape sequences
 * are dropped.
 *
 * @module
 */

/** How to draw the terminal. */
export interface TerminalSvgOptions {
  /** Terminal width in character cells (the pane's width). */
  columns: number;
  /** Terminal height in lines (the pane's height). */
  rows: number;
  /** Font size in pixels (default 14). */
  fontSize?: number;
  /** Text for the SVG's `<title>` (for screen readers). */
  title?: string;
}

/** The 16 colours: 0–7 for SGR 30–37 / 40–47, 8–15 for 90–97 / 100–107 (a dark theme). */
export const PALETTE: readonly string[] = [
  "#1d1f21", // black
  "#cc6666", // red
  "#8fb573", // green
  "#e0b458", // yellow
  "#6f9fd8", // blue
  "#b294bb", // magenta
  "#70c0b1", // cyan
  "#c5c8c6", // white
  "#666a70", // bright black
  "#f07878", // bright red
  "#b5e08b", // bright green
  "#f5d67a", // bright yellow
  "#8cb8f0", // bright blue
  "#d6a8e0", // bright magenta
  "#93e0d2", // bright cyan
  "#ffffff", // bright white
];

/** Default foreground and background. */
export const FOREGROUND = "#d0d3d0";
export const BACKGROUND = "#16181c";

/** The style of one character cell. */
interface Style {
  fg: string | undefined;
  bg: string | undefined;
  bold: boolean;
  dim: boolean;
  inverse: boolean;
}

/** A run of characters of one style, starting at `column`. */
interface Run {
  column: number;
  text: string;
  style: Style;
}

const PLAIN: Style = { fg: undefined, bg: undefined, bold: false, dim: false, inverse: false };

/** Escapes text for XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${ESCAPES[c]};`);
}
const ESCAPES: Record<string, string> = {
  "&": "amp",
  "<": "lt",
  ">": "gt",
  '"': "quot",
  "'": "apos",
};

/** The colour of a 256-colour index. */
export function color256(n: number): string {
  if (n < 16) return PALETTE[n]!;
  if (n < 232) {
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    const i = n - 16;
    return hex(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6));
  }
  const grey = 8 + (n - 232) * 10;
  return hex(grey, grey, grey);
}

function hex(r: number, g: number, b: number): string {
  return "#" + [r, g, b].map((v) => Math.max(0, Math.min(255, v)).toString(16).padStart(2, "0"))
    .join("");
}

/** Applies one SGR parameter list to a style. */
function applySgr(style: Style, params: number[]): Style {
  let s = { ...style };
  if (params.length === 0) params = [0];
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) s = { ...PLAIN };
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 22) s.bold = s.dim = false;
    else if (p === 7) s.inverse = true;
    else if (p === 27) s.inverse = false;
    else if (p >= 30 && p <= 37) s.fg = PALETTE[p - 30];
    else if (p >= 90 && p <= 97) s.fg = PALETTE[p - 90 + 8];
    else if (p === 39) s.fg = undefined;
    else if (p >= 40 && p <= 47) s.bg = PALETTE[p - 40];
    else if (p >= 100 && p <= 107) s.bg = PALETTE[p - 100 + 8];
    else if (p === 49) s.bg = undefined;
    else if (p === 38 || p === 48) {
      let value: string | undefined;
      if (params[i + 1] === 5 && params[i + 2] !== undefined) {
        value = color256(params[i + 2]!);
        i += 2;
      } else if (params[i + 1] === 2 && params[i + 4] !== undefined) {
        value = hex(params[i + 2]!, params[i + 3]!, params[i + 4]!);
        i += 4;
      } else {
        break; // malformed: ignore the rest of this sequence
      }
      if (p === 38) s.fg = value;
      else s.bg = value;
    }
  }
  return s;
}

// CSI (ESC [ parameters, intermediates, final byte), OSC (ESC ] ... BEL or ESC \), or another
// escape (ESC, intermediates, final byte: ESC ( B, ESC 7, ESC =, ...).
const ESCAPE_SOURCE = String
  .raw`\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[ -/]*[0-~])`;
const ESCAPE = new RegExp(ESCAPE_SOURCE, "y");

/** Terminal text without its escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(new RegExp(ESCAPE_SOURCE, "g"), "");
}

/** Splits one line into styled runs; returns the style in force at its end too. */
function parseLine(line: string, start: Style): { runs: Run[]; style: Style } {
  const runs: Run[] = [];
  let style = start;
  let column = 0;
  let text = "";
  let runStart = 0;
  const flush = () => {
    if (text) runs.push({ column: runStart, text, style });
    text = "";
    runStart = column;
  };
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === "\x1b") {
      ESCAPE.lastIndex = i;
      const match = ESCAPE.exec(line);
      if (!match) {
        i++; // a lone ESC: drop it
        continue;
      }
      i = ESCAPE.lastIndex;
      if (match[2] === "m" && /^[0-9;:]*$/.test(match[1]!)) {
        flush();
        const params = match[1]!.split(/[;:]/).filter((p) => p !== "").map(Number);
        style = applySgr(style, params);
      }
      continue;
    }
    const code = line.codePointAt(i)!;
    const char = String.fromCodePoint(code);
    i += char.length;
    if (char === "\t") {
      const next = (Math.floor(column / 8) + 1) * 8;
      text += " ".repeat(next - column);
      column = next;
    } else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
      continue; // other control characters are not drawn (and are not allowed in XML)
    } else {
      text += char;
      column++;
    }
  }
  flush();
  return { runs, style };
}

/**
 * Renders captured terminal text to an SVG document. Lines beyond `rows` and characters beyond
 * `columns` are cut; the picture's size comes from `columns` × `rows`.
 */
export function terminalSvg(capture: string, options: TerminalSvgOptions): string {
  const fontSize = options.fontSize ?? 14;
  const cell = round(fontSize * 0.6);
  const lineHeight = round(fontSize * 1.3);
  const pad = round(fontSize);
  const width = round(pad * 2 + options.columns * cell);
  const height = round(pad * 2 + options.rows * lineHeight);
  const lines = capture.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n").slice(
    0,
    options.rows,
  );

  const backgrounds: string[] = [];
  const texts: string[] = [];
  let style = { ...PLAIN };
  lines.forEach((line, row) => {
    const parsed = parseLine(line, style);
    style = parsed.style;
    const y = round(pad + row * lineHeight);
    const baseline = round(y + lineHeight * 0.78);
    const spans: string[] = [];
    for (const run of parsed.runs) {
      if (run.column >= options.columns) continue;
      const chars = [...run.text].slice(0, options.columns - run.column);
      const x = round(pad + run.column * cell);
      const fg = run.style.inverse ? run.style.bg ?? BACKGROUND : run.style.fg;
      const bg = run.style.inverse ? run.style.fg ?? FOREGROUND : run.style.bg;
      if (bg !== undefined) {
        backgrounds.push(
          `<rect x="${x}" y="${y}" width="${round(chars.length * cell)}" height="${lineHeight}"` +
            ` fill="${bg}"/>`,
        );
      }
      const attrs: string[] = [];
      if (fg !== undefined) attrs.push(`fill="${fg}"`);
      if (run.style.bold) attrs.push('font-weight="bold"');
      if (run.style.dim) attrs.push('opacity="0.6"');
      // One tspan per word, placed at its column: the grid holds whatever a renderer does with
      // spaces (many collapse them) and whatever the font's advance is.
      const body = chars.join("");
      for (const word of body.matchAll(/\S+/g)) {
        const column = run.column + [...body.slice(0, word.index)].length;
        const at = `x="${round(pad + column * cell)}"`;
        spans.push(`<tspan ${[at, ...attrs].join(" ")}>${escapeXml(word[0])}</tspan>`);
      }
    }
    // Spaces between the words keep the text readable when copied or searched.
    if (spans.length > 0) texts.push(`<text y="${baseline}">${spans.join(" ")}</text>`);
  });

  const title = options.title === undefined ? "" : `<title>${escapeXml(options.title)}</title>\n`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"` +
    ` viewBox="0 0 ${width} ${height}" role="img">`,
    title + `<rect width="100%" height="100%" rx="6" fill="${BACKGROUND}"/>`,
    ...backgrounds,
    `<g font-family="'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace"` +
    ` font-size="${fontSize}" fill="${FOREGROUND}">`,
    ...texts,
    "</g>",
    "</svg>",
    "",
  ].join("\n");
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
