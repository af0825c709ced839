/**
 * The summary of a batch of loads, for `velora status` and the command's last line.
 *
 * @module
 */
import type { LoadOutcome } from "./loader.ts";
import { formatBytes } from "./progress.ts";

/** Counts and the first failure reasons. */
export interface LoadSummary {
  [key: string]: string | number | boolean;
  archives: number;
  loaded: number;
  already_loaded: number;
  failed: number;
  /** Bytes streamed into the engine. */
  bytes: number;
  /** Bytes read to find manifests. */
  probe_bytes: number;
  /** The first failure reasons, `; `-separated. */
  failures: string;
  /** With a registry: where images were pushed. */
  registry?: string;
  /** With a registry: tags pushed there (each `registry/repo:tag` once per run). */
  pushed?: number;
}

/** Summarizes outcomes; `failures` keeps the first three reasons. */
export function summarize(outcomes: readonly LoadOutcome[], registry?: string): LoadSummary {
  const failed = outcomes.filter((o) => o.status === "failed");
  const shown = failed.slice(0, 3).map((o) => o.error ?? o.source);
  if (failed.length > shown.length) shown.push(`${failed.length - shown.length} more`);
  return {
    archives: outcomes.length,
    loaded: outcomes.filter((o) => o.status === "loaded").length,
    already_loaded: outcomes.filter((o) => o.status === "present").length,
    failed: failed.length,
    bytes: outcomes.reduce((n, o) => n + o.bytes, 0),
    probe_bytes: outcomes.reduce((n, o) => n + o.probeBytes, 0),
    failures: shown.join("; "),
    ...(registry === undefined
      ? {}
      : { registry, pushed: outcomes.reduce((n, o) => n + (o.pushed ?? 0), 0) }),
  };
}

/**
 * One line: `3 archives: 2 loaded (1.2 GB), 1 already loaded, 0 failed`, and with a registry
 * `; 6 images pushed to 127.0.0.1:5000`.
 */
export function summaryLine(summary: LoadSummary): string {
  const pushed = summary.registry === undefined
    ? ""
    : `; ${summary.pushed ?? 0} image${
      summary.pushed === 1 ? "" : "s"
    } pushed to ${summary.registry}`;
  return `${summary.archives} archive${summary.archives === 1 ? "" : "s"}: ` +
    `${summary.loaded} loaded (${formatBytes(summary.bytes)}), ` +
    `${summary.already_loaded} already loaded, ${summary.failed} failed${pushed}`;
}
