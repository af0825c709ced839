/**
 * What to load: archives from folders, paths and URIs, and the `image_storage_uri` of dataset
 * rows.
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { MAX_DATASET_LINE, readJsonl } from "../dataset/jsonl.ts";
import { ConfigError } from "../errors.ts";
import type { InstanceVars } from "./aliases.ts";
import type { LoadTarget } from "./loader.ts";

/** Archive names a folder source picks up. */
export const ARCHIVE_NAME = /\.(tar|tar\.gz|tgz)$/i;

/**
 * Expands sources: a local folder becomes its `*.tar`, `*.tar.gz` and `*.tgz` files (sorted,
 * not recursive); anything else (a file, a URI) stays as it is.
 *
 * @throws {ConfigError} for a folder that cannot be read.
 */
export async function expandSources(sources: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const source of sources) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !source.startsWith("file://")) {
      out.push(source);
      continue;
    }
    const path = source.startsWith("file://")
      ? new URL(source).pathname
      : isAbsolute(source)
      ? source
      : resolve(cwd, source);
    const stat = await Deno.stat(path).catch(() => undefined);
    if (!stat?.isDirectory) {
      out.push(source);
      continue;
    }
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) {
      if (entry.isFile && ARCHIVE_NAME.test(entry.name)) names.push(entry.name);
    }
    if (names.length === 0) {
      throw new ConfigError({ file: path }, "no *.tar, *.tar.gz or *.tgz file in this folder");
    }
    out.push(...names.sort().map((name) => join(path, name)));
  }
  return out;
}

/** Which dataset rows to take. */
export interface RowSelection {
  /** Only these instance ids (all when empty). */
  instanceIds?: readonly string[];
  /** Never these. */
  skipIds?: readonly string[];
  /** At most this many rows (after the two filters). */
  limit?: number;
}

/** A selected dataset row. */
export interface DatasetRow extends InstanceVars {
  /** The row's `image_storage_uri`, if any. */
  image_storage_uri?: string;
  /** 1-based line in the dataset file. */
  line: number;
}

/**
 * Reads the selected rows of a JSONL dataset (streamed: the file is never read whole).
 *
 * @throws {ConfigError} `file:line: reason` for a bad row.
 */
export async function readRows(file: string, selection: RowSelection = {}): Promise<DatasetRow[]> {
  const only = new Set(selection.instanceIds ?? []);
  const skip = new Set(selection.skipIds ?? []);
  const rows: DatasetRow[] = [];
  for await (const { line, value } of readJsonl(file, { maxLineChars: MAX_DATASET_LINE })) {
    if (selection.limit !== undefined && rows.length >= selection.limit) break;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new ConfigError({ file, line }, "expected a JSON object");
    }
    const row = value as Record<string, unknown>;
    const id = row.instance_id;
    if ((typeof id !== "string" || id === "") && typeof id !== "number") {
      throw new ConfigError({ file, line }, 'the row has no "instance_id"');
    }
    const instanceId = String(id);
    if ((only.size > 0 && !only.has(instanceId)) || skip.has(instanceId)) continue;
    const uri = row.image_storage_uri;
    rows.push({
      line,
      instance_id: instanceId,
      ...(typeof row.repo === "string" ? { repo: row.repo } : {}),
      ...(typeof row.number === "number" || typeof row.number === "string"
        ? { number: row.number }
        : {}),
      ...(typeof uri === "string" && uri.trim() !== "" ? { image_storage_uri: uri.trim() } : {}),
    });
  }
  return rows;
}

/**
 * The load target of a dataset row, or `undefined` when it has no `image_storage_uri`. A
 * relative archive path in the row is relative to the dataset file's folder.
 */
export function targetOfRow(row: DatasetRow, datasetFile: string): LoadTarget | undefined {
  if (!row.image_storage_uri) return undefined;
  const uri = row.image_storage_uri;
  const keep = /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || isAbsolute(uri) || !ARCHIVE_NAME.test(uri);
  const source = keep ? uri : join(dirname(resolve(datasetFile)), uri);
  const instance: InstanceVars = { instance_id: row.instance_id };
  if (row.repo !== undefined) instance.repo = row.repo;
  if (row.number !== undefined) instance.number = row.number;
  return { source, instances: [instance] };
}
