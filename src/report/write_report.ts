/**
 * `report.html` for one `output.jsonl`: reads the rows one at a time, keeps each instance's table
 * record and its compressed trajectory, and writes the page atomically (temp file, fsync,
 * rename). A re-run instance's last row wins.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { writeFileAtomic } from "../fs.ts";
import { redact } from "../redact.ts";
import { type InstanceRecord, instanceRecord } from "./instance_record.ts";
import { outcomeLegend, PAGE_END, pageHead, trajectoryBlock } from "./html.ts";
import { readRunInfo } from "./run_info.ts";
import { readRunRows } from "./run_rows.ts";
import { type RunSummary, summarize } from "./summary.ts";
import { trajectoryView } from "./trajectory_view.ts";

/** Options of {@linkcode writeReport}. */
export interface ReportOptions {
  /** Where to write (default `report.html` beside the `output.jsonl`). */
  out?: string;
  /** Page title (default from the run's dataset, agent and model). */
  title?: string;
  /** Longest observation or argument kept whole (default 4000). */
  maxChars?: number;
  /** Longest patch kept whole (default 200000). */
  maxPatchChars?: number;
  /** The time written into the page (default now). */
  now?: Date;
  /** Called for each line that is not JSON (skipped). */
  warn?: (message: string) => void;
}

/** What was written. */
export interface ReportResult {
  path: string;
  bytes: number;
  summary: RunSummary;
  /** Lines that were not JSON (skipped). */
  badLines: number;
}

/** Reads `outputFile` and writes its report. */
export async function writeReport(
  outputFile: string,
  options: ReportOptions = {},
): Promise<ReportResult> {
  const limits = {
    maxChars: options.maxChars ?? 4000,
    maxPatchChars: options.maxPatchChars ?? 200_000,
  };
  const encoder = new TextEncoder();
  const entries = new Map<string, { record: InstanceRecord; block: string }>();
  let badLines = 0;
  let firstMetadata: unknown;
  for await (
    const { row, id, evaluation } of readRunRows(outputFile, {
      onBadLine: (error) => {
        badLines++;
        options.warn?.(`${error.message} (skipped)`);
      },
    })
  ) {
    firstMetadata ??= row.metadata;
    const view = trajectoryView(row, evaluation, limits);
    const packed = gzipSync(encoder.encode(redact(JSON.stringify(view))), { level: 6 });
    entries.delete(id); // a later row replaces an earlier one, at its own place
    entries.set(id, {
      record: instanceRecord(row, evaluation),
      block: Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString("base64"),
    });
  }
  const records = [...entries.values()].map((e) => e.record);
  const summary = summarize(records);
  const run = await readRunInfo(outputFile, firstMetadata);
  const title = options.title ??
    (["velora report", run.dataset, run.agent, run.model].filter(Boolean).join(" · "));
  const head = redact(pageHead({
    title,
    generatedAt: (options.now ?? new Date()).toISOString(),
    source: outputFile,
    run,
    summary,
    records,
    outcomes: outcomeLegend(),
  }));
  const path = options.out ?? join(dirname(outputFile), "report.html");
  const bytes = await writeFileAtomic(
    path,
    function* () {
      yield head;
      let index = 0;
      for (const { block } of entries.values()) yield trajectoryBlock(index++, block);
      yield PAGE_END;
    }(),
  );
  return { path, bytes, summary, badLines };
}
