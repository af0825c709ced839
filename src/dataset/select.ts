/**
 * Which instances a run takes, applied in a fixed order so the result never surprises:
 *
 * 1. `eval_ids` — keep only these ids (in dataset order);
 * 2. `skip_ids` (plus `SKIP_IDS`, merged by the pipeline loader) — drop these;
 * 3. `filter` — keep ids the regular expression matches from their start (Python `re.match`);
 * 4. `slice` — `start:stop[:step]` over what is left (Python slice syntax, negatives allowed);
 * 5. `eval_n_limit` — the first N, or with `sample = "random:<seed>"` OpenHands' seeded sample.
 *
 * Works on ids only, so a huge dataset is selected without holding its rows.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { seededSampleIndexes } from "./seeded_sample.ts";

/** Selection settings (the infer/evaluate phase keys). */
export interface Selection {
  eval_ids?: readonly string[] | undefined;
  skip_ids?: readonly string[] | undefined;
  filter?: string | undefined;
  slice?: string | undefined;
  eval_n_limit?: number | undefined;
  /** `first` (default) or `random:<seed>`. */
  sample?: string | undefined;
}

/** One step's effect, for the log line `eval_ids: 500 -> 12`. */
export interface SelectionStep {
  step: string;
  before: number;
  after: number;
}

/**
 * A selection setting that cannot be used (exit 2). The phase schemas check the settings with
 * {@linkcode selectionProblem} when the pipeline loads, so this is a last line of defence.
 */
export class SelectionError extends UsageError {}

/** Why a selection setting (`filter`, `slice` or `sample`) cannot be used, or undefined. */
export function selectionProblem(
  key: "filter" | "slice" | "sample",
  value: string,
): string | undefined {
  if (key === "filter") {
    try {
      new RegExp(`^(?:${value})`);
      return undefined;
    } catch (error) {
      return `not a regular expression: ${(error as Error).message}`;
    }
  }
  if (key === "sample") {
    return /^(first|random:\d+)$/.test(value) ? undefined : 'expected "first" or "random:<seed>"';
  }
  const parts = value.split(":");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^\s*(-?\d+)?\s*$/.test(p))) {
    return "expected start:stop[:step] with integers (a Python slice)";
  }
  if (parts[2]?.trim() && Number(parts[2]) === 0) return "step must not be 0";
  return undefined;
}

/** Applies the selection to ids in dataset order; returns the chosen ids and each step's counts. */
export function selectIds(
  ids: readonly string[],
  selection: Selection,
): { ids: string[]; steps: SelectionStep[] } {
  const steps: SelectionStep[] = [];
  let current = [...ids];
  const apply = (step: string, next: string[]) => {
    steps.push({ step, before: current.length, after: next.length });
    current = next;
  };
  if (selection.eval_ids?.length) {
    const wanted = new Set(selection.eval_ids);
    apply("eval_ids", current.filter((id) => wanted.has(id)));
  }
  if (selection.skip_ids?.length) {
    const skipped = new Set(selection.skip_ids);
    apply("skip_ids", current.filter((id) => !skipped.has(id)));
  }
  if (selection.filter) {
    check("filter", selection.filter);
    const pattern = new RegExp(`^(?:${selection.filter})`);
    apply("filter", current.filter((id) => pattern.test(id)));
  }
  if (selection.slice) apply("slice", pySlice(current, selection.slice));
  if (selection.eval_n_limit !== undefined) {
    const n = selection.eval_n_limit;
    const seed = parseSample(selection.sample ?? "first");
    const chosen = seed === undefined
      ? current.slice(0, n)
      : seededSampleIndexes(current.length, n, seed).map((i) => current[i]!);
    apply(seed === undefined ? "eval_n_limit" : `eval_n_limit (random:${seed})`, chosen);
  }
  return { ids: current, steps };
}

function check(key: "filter" | "slice" | "sample", value: string): void {
  const problem = selectionProblem(key, value);
  if (problem) throw new SelectionError(`Cannot use ${key} "${value}": ${problem}`);
}

function parseSample(sample: string): number | undefined {
  check("sample", sample);
  return sample === "first" ? undefined : Number(sample.slice("random:".length));
}

/** Python's `list[start:stop:step]`. */
export function pySlice<T>(items: readonly T[], spec: string): T[] {
  check("slice", spec);
  const nums = spec.split(":").map((p) => (p.trim() === "" ? undefined : Number(p)));
  const step = nums[2] ?? 1;
  const len = items.length;
  const clamp = (value: number | undefined, fallback: number, low: number, high: number) => {
    if (value === undefined) return fallback;
    const v = value < 0 ? value + len : value;
    return Math.min(Math.max(v, low), high);
  };
  const out: T[] = [];
  if (step > 0) {
    const start = clamp(nums[0], 0, 0, len);
    const stop = clamp(nums[1], len, 0, len);
    for (let i = start; i < stop; i += step) out.push(items[i]!);
  } else {
    const start = clamp(nums[0], len - 1, -1, len - 1);
    const stop = clamp(nums[1], -1, -1, len - 1);
    for (let i = start; i > stop; i += step) out.push(items[i]!);
  }
  return out;
}
