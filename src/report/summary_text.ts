/**
 * A run summary as plain text for the terminal (`velora status <output-dir>`). Pure.
 *
 * @module
 */
import { formatSeconds } from "../format.ts";
import { OUTCOME_LABELS, OUTCOMES } from "./outcome.ts";
import type { GroupStats, RunSummary } from "./summary.ts";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const money = (x: number) => `$${x.toFixed(x >= 100 ? 0 : x >= 1 ? 2 : 4)}`;
const tokens = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${n}`;

/** Renders the summary of the output directory `dir`. */
export function renderSummary(dir: string, s: RunSummary): string {
  const rows: Array<[string, string]> = [
    ["instances", `${s.instances} (${s.evaluated} evaluated)`],
  ];
  const width = String(s.instances).length;
  for (const outcome of OUTCOMES) {
    const n = s.outcomes[outcome];
    let text = String(n).padStart(width);
    if (n > 0 && s.instances > 0) text += `  ${pct(n / s.instances).padStart(6)}`;
    if (outcome === "resolved" && s.evaluated > 0) {
      text += `  (${pct(s.resolvedRateEvaluated)} of evaluated)`;
    }
    rows.push([OUTCOME_LABELS[outcome].toLowerCase(), text]);
  }
  rows.push(
    [
      "cost",
      `${money(s.cost.total)} · ${money(s.cost.mean)} per instance · max ${money(s.cost.max)}`,
    ],
    [
      "tokens",
      `${tokens(s.promptTokens + s.completionTokens)} (${tokens(s.promptTokens)} prompt · ` +
      `${tokens(s.completionTokens)} completion) · ${
        tokens(Math.round(s.tokens.mean))
      } per instance`,
    ],
    ["steps", `${s.steps.total} · mean ${s.steps.mean.toFixed(1)} · max ${s.steps.max}`],
    [
      "wall time",
      s.wall.seconds === null
        ? "-"
        : `${formatSeconds(s.wall.seconds)} · ${
          formatSeconds(s.instanceSeconds.mean)
        } per instance`,
    ],
    ["exit status", s.exits.map(([status, n]) => `${status} ${n}`).join(" · ") || "-"],
  );
  if (s.byLanguage.length > 1) rows.push(["by language", groups(s.byLanguage)]);
  if (s.byRepo.length > 1) rows.push(["by repository", groups(s.byRepo)]);
  const pad = Math.max(...rows.map(([label]) => label.length));
  return [`Output ${dir}`, ...rows.map(([label, text]) => `  ${label.padEnd(pad)}  ${text}`)].join(
    "\n",
  );
}

function groups(list: GroupStats[]): string {
  const shown = list.slice(0, 8).map((g) => `${g.key} ${g.resolved}/${g.instances}`);
  return shown.join(" · ") + (list.length > 8 ? ` · (${list.length - 8} more)` : "");
}
