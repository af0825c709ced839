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

/** The summary text of each `output.jsonl`, separated by blank lines. */
export async function outputStatus(files: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const file of files) {
    const records = new Map<string, InstanceRecord>();
    for await (const { row, id, evaluation } of readRunRows(file)) {
      records.delete(id);
      records.set(id, instanceRecord(row, evaluation));
    }
    parts.push(renderSummary(dirname(file), summarize([...records.values()])));
  }
  return parts.join("\n\n");
}
