/**
 * The report page: one HTML file with everything inline — styles, the uPlot charting library
 * (read from its npm package as text, so it is embedded by `deno compile` and `deno bundle`
 * too), the page's scripts, the run's data as JSON, and each trajectory as a gzip + base64
 * block decoded only when it is opened. Pure.
 *
 * Order matters for large runs: the summary, charts and table render as soon as the parser has
 * passed the page scripts, while it is still reading the trajectory blocks that follow.
 *
 * @module
 */
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import appJs from "./page/app.js" with { type: "text" };
import chartsJs from "./page/charts.js" with { type: "text" };
import domJs from "./page/dom.js" with { type: "text" };
import styleCss from "./page/style.css" with { type: "text" };
import tableJs from "./page/table.js" with { type: "text" };
import viewerJs from "./page/viewer.js" with { type: "text" };
import type { InstanceRecord } from "./instance_record.ts";
import { type Outcome, OUTCOME_LABELS, OUTCOMES } from "./outcome.ts";
import type { RunInfo } from "./run_info.ts";
import type { RunSummary } from "./summary.ts";

/** The colour of each outcome in badges and charts. */
export const OUTCOME_COLORS: Readonly<Record<Outcome, string>> = {
  resolved: "#2e7d32",
  unresolved: "#c62828",
  failed_apply_patch: "#ef6c00",
  empty_patch: "#8d8d8d",
  test_timeout: "#6a1b9a",
  error_eval: "#ad1457",
  error_infra: "#37474f",
  infer_error: "#5d4037",
  not_evaluated: "#78909c",
};

/** Everything the page's scripts read (the `velora-data` JSON block). */
export interface PageData {
  title: string;
  generatedAt: string;
  source: string;
  run: RunInfo;
  summary: RunSummary;
  /** In table order; a record's index is its trajectory block's number (`t-<index>`). */
  records: InstanceRecord[];
  outcomes: Array<{ key: Outcome; label: string; color: string }>;
}

/** The outcome list the page needs. */
export function outcomeLegend(): PageData["outcomes"] {
  return OUTCOMES.map((key) => ({ key, label: OUTCOME_LABELS[key], color: OUTCOME_COLORS[key] }));
}

/** JSON safe inside a `<script>` element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** JavaScript safe inside a `<script>` element. */
function scriptCode(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1");
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

/** The page up to the trajectory blocks: head, body skeleton, data and scripts. */
export function pageHead(data: PageData): string {
  const scripts = [uplotJs, domJs, chartsJs, tableJs, viewerJs, appJs]
    .map((code) => `<script>${scriptCode(code)}</script>`).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="velora">
<title>${escapeHtml(data.title)}</title>
<style>${uplotCss}</style>
<style>${styleCss}</style>
</head>
<body>
<header id="top"><h1>${escapeHtml(data.title)}</h1><p id="subtitle"></p></header>
<main>
<section id="summary" aria-label="Summary"></section>
<section id="charts" aria-label="Charts"></section>
<section id="instances" aria-label="Instances"></section>
<section id="viewer" aria-label="Trajectory" hidden></section>
</main>
<div id="fatal" hidden></div>
<script id="velora-data" type="application/json">${scriptJson(data)}</script>
${scripts}
<script>velora.start();</script>
`;
}

/** One trajectory block: the gzip of its JSON, in base64. */
export function trajectoryBlock(index: number, base64: string): string {
  return `<script type="application/x-velora-trajectory" id="t-${index}">${base64}</script>\n`;
}

/** The end of the page. */
export const PAGE_END = "</body>\n</html>\n";
