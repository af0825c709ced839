/**
 * `velora export`: reads an `output.jsonl` (the last row of each instance), keeps the rows the
 * filters allow, and writes them in one format into a folder, with `export.json` beside them
 * recording the source, the filters, the counts (and why rows were left out) and the ids written,
 * in order. Files are written to temp names and renamed when complete.
 *
 * @module
 */
import { join } from "node:path";
import { AtomicFile } from "../fs.ts";
import { VERSION } from "../version.ts";
import { outcomeOf } from "../report/outcome.ts";
import { rowError } from "../report/row.ts";
import { readEvalInfo } from "../report/eval_info.ts";
import { evalDirOf } from "../report/run_rows.ts";
import {
  IndexMismatch,
  latestEntries,
  RangeReader,
  readEntry,
  readIndex,
  scanRows,
} from "../output/row_index.ts";
import { conversationOf, turnCount } from "./chat.ts";
import { type Exclusion, exclusionOf, type ExportFilters, filtersRecord } from "./filters.ts";
import { modelOf, msbPatchOf, predictionOf } from "./predictions.ts";
import { shareGptRecord } from "./sharegpt.ts";

/** The export formats. */
export const EXPORT_FORMATS = ["openai", "sharegpt", "swe-bench-preds", "multi-swe-bench"] as const;

/** An export format. */
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** The files each format writes. */
export const EXPORT_FILES: Readonly<Record<ExportFormat, readonly string[]>> = {
  openai: ["openai.jsonl"],
  sharegpt: ["sharegpt.jsonl"],
  "swe-bench-preds": ["preds.json", "predictions.jsonl"],
  "multi-swe-bench": ["patches.jsonl"],
};

/** Options of {@linkcode runExport}. */
export interface ExportOptions {
  format: ExportFormat;
  /** The folder to write into (created). */
  outDir: string;
  filters: ExportFilters;
  /** `model_name_or_path` of SWE-bench predictions (default: the run's model). */
  modelName?: string;
  /** The time recorded in `export.json` (default now). */
  now?: Date;
}

/** What an export wrote. */
export interface ExportResult {
  outDir: string;
  files: string[];
  rows: number;
  written: number;
  excluded: Partial<Record<Exclusion, number>>;
}

/**
 * The last row of each instance with its evaluation, one at a time in file order. The rows are
 * found through the row index when it is valid for the file (else by a streaming scan, and the
 * index file is not written: export only reads); only the rows exported are parsed.
 */
async function* latestRows(outputFile: string, scan: boolean) {
  const index = scan ? undefined : await readIndex(outputFile);
  const entries = index?.entries ??
    (await scanRows(outputFile, { onBadLine: () => {} })).entries;
  const evalDir = evalDirOf(outputFile);
  using reader = await RangeReader.open(outputFile);
  for (const entry of latestEntries(entries)) {
    const row = await readEntry(reader, entry);
    yield { row, id: entry.id!, evaluation: await readEvalInfo(evalDir, row, entry.id!) };
  }
}

/** Exports `outputFile`. */
export async function runExport(outputFile: string, options: ExportOptions): Promise<ExportResult> {
  try {
    return await exportRows(outputFile, options, false);
  } catch (error) {
    // The index did not match the file after all: the file is what counts.
    if (!(error instanceof IndexMismatch)) throw error;
    return await exportRows(outputFile, options, true);
  }
}

async function exportRows(
  outputFile: string,
  options: ExportOptions,
  scan: boolean,
): Promise<ExportResult> {
  await Deno.mkdir(options.outDir, { recursive: true });
  const names = EXPORT_FILES[options.format];
  const sinks = await Promise.all(names.map((name) => AtomicFile.open(join(options.outDir, name))));
  const excluded: Partial<Record<Exclusion, number>> = {};
  const ids: string[] = [];
  let predictions = 0; // preds.json is written as it goes: `{`, one `"<id>": {...}` each, `}`
  let rows = 0;
  let model = options.modelName;
  const needsConversation = options.format === "openai" || options.format === "sharegpt" ||
    options.filters.minTurns !== undefined || options.filters.maxTurns !== undefined;
  try {
    for await (const { row, id, evaluation } of latestRows(outputFile, scan)) {
      rows++;
      // The conversation (the whole history, read as the model saw it) only where it is used.
      const conversation = needsConversation ? conversationOf(row) : undefined;
      const outcome = outcomeOf(row, evaluation);
      const facts = {
        id,
        resolved: outcome === "resolved",
        error: rowError(row) !== null || outcome === "error_eval" || outcome === "error_infra" ||
          outcome === "infer_error",
        turns: conversation ? turnCount(conversation) : 0,
      };
      let why = exclusionOf(facts, options.filters);
      const msb = options.format === "multi-swe-bench" ? msbPatchOf(row) : undefined;
      if (!why && options.format === "multi-swe-bench" && !msb) why = "no_pr_number";
      if (!why && (options.format === "openai" || options.format === "sharegpt") && !facts.turns) {
        why = "no_conversation";
      }
      if (why) {
        excluded[why] = (excluded[why] ?? 0) + 1;
        continue;
      }
      ids.push(id);
      switch (options.format) {
        case "openai":
          await sinks[0]!.line({ messages: conversation!.messages, tools: conversation!.tools });
          break;
        case "sharegpt":
          await sinks[0]!.line(shareGptRecord(conversation!));
          break;
        case "swe-bench-preds": {
          model ??= modelOf(row) || "velora";
          const prediction = predictionOf(row, model);
          const entry = JSON.stringify({ [id]: prediction }, null, 2).slice(2, -2);
          await sinks[0]!.text(`${predictions++ === 0 ? "{\n" : ",\n"}${entry}`);
          await sinks[1]!.line(prediction);
          break;
        }
        case "multi-swe-bench":
          await sinks[0]!.line(msb);
      }
    }
    if (options.format === "swe-bench-preds") {
      await sinks[0]!.text(predictions === 0 ? "{}\n" : "\n}\n");
    }
    for (const sink of sinks) await sink.commit();
  } catch (error) {
    for (const sink of sinks) await sink.abandon();
    throw error;
  }
  const record = {
    format: options.format,
    created_at: (options.now ?? new Date()).toISOString(),
    velora_version: VERSION,
    source: outputFile,
    filters: filtersRecord(options.filters),
    turns: "assistant messages (model responses) per trajectory",
    ...(options.format === "swe-bench-preds" ? { model_name_or_path: model ?? null } : {}),
    rows,
    written: ids.length,
    excluded,
    files: [...names],
    ids,
  };
  const sidecar = await AtomicFile.open(join(options.outDir, "export.json"));
  await sidecar.text(JSON.stringify(record, null, 2) + "\n");
  await sidecar.commit();
  return {
    outDir: options.outDir,
    files: [...names, "export.json"].map((name) => join(options.outDir, name)),
    rows,
    written: ids.length,
    excluded,
  };
}
