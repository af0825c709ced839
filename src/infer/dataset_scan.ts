/**
 * Reads a dataset twice without holding it: a first pass validates every row and keeps only ids
 * and image names (so bad rows fail the phase before any container starts, and selection works
 * on ids), a second pass yields the selected instances lazily.
 *
 * @module
 */
import { MAX_DATASET_LINE, readJsonl } from "../dataset/jsonl.ts";
import { RowError, toInstance } from "../dataset/formats/mod.ts";
import type { Instance } from "../dataset/instance.ts";
import { ConfigError } from "../errors.ts";

/** What the first pass keeps of each good row. */
export interface RowIndex {
  id: string;
  line: number;
}

/** The first pass: ids in dataset order, and the rows that were skipped. */
export async function scanDataset(
  path: string,
  options: { skipBadRows: boolean; log(line: string): void; each?(instance: Instance): void },
): Promise<RowIndex[]> {
  const rows: RowIndex[] = [];
  const seen = new Set<string>();
  const bad = (error: ConfigError) => {
    if (!options.skipBadRows) throw error;
    options.log(`skipped ${error.message}`);
  };
  for await (
    const { line, value } of readJsonl(path, { onError: bad, maxLineChars: MAX_DATASET_LINE })
  ) {
    let instance: Instance;
    try {
      instance = toInstance(value);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      bad(new ConfigError({ file: path, line }, error.message));
      continue;
    }
    if (seen.has(instance.instance_id)) {
      bad(new ConfigError({ file: path, line }, `duplicate instance_id "${instance.instance_id}"`));
      continue;
    }
    seen.add(instance.instance_id);
    rows.push({ id: instance.instance_id, line });
    options.each?.(instance);
  }
  return rows;
}

/** The second pass: the instances whose lines are wanted, in dataset order. */
export async function* readInstances(
  path: string,
  lines: ReadonlySet<number>,
): AsyncGenerator<Instance> {
  for await (
    const { line, value } of readJsonl(path, { onError: () => {}, maxLineChars: MAX_DATASET_LINE })
  ) {
    if (lines.has(line)) yield toInstance(value);
  }
}
