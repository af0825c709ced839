/**
 * `velora status` on output directories: their summaries as text (rows are streamed; no trajectory
 * is kept).
 *
 * @module
 */
import { dirname } from "node:path";
import { type InstanceRecord, instanceRecord } from "./instance_record.ts";
import { readRunRows } from "./run_rows.ts";
import { summarize } from "./summary.ts";
import { renderSummary } from "./summary_text.ts";

/** The summary of each `output.jsonl`, with the folder it describes. */
export async function outputSummaries(
  files: readonly string[],
): Promise<{ dir: string; summary: ReturnType<typeof summarize> }[]> {
  const out = [];
  for (const file of files) {
    const records = new Map<string, InstanceRecord>();
    for await (const { row, id, evaluation } of readRunRows(file)) {
      records.delete(id);
      records.set(id, instanceRecord(row, evaluation));
    }
    out.push({ dir: dirname(file), summary: summarize([...records.values()]) });
  }
  return out;
}

/** The summary text of each `output.jsonl`, separated by blank lines. */
export async function outputStatus(files: readonly string[]): Promise<string> {
  const summaries = await outputSummaries(files);
  return summaries.map(({ dir, summary }) => renderSummary(dir, summary)).join("\n\n");
}
