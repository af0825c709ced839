/**
 * Pipeline file → plan: parse, apply `--set`, interpolate, validate, fingerprint.
 *
 * Nothing here touches the run directory, so a bad file leaves nothing behind.
 *
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { didYouMean } from "../did_you_mean.ts";
import { ConfigError, UsageError } from "../errors.ts";
import { objectShape } from "./_zod.ts";
import { type Fingerprint, fingerprint } from "./fingerprint.ts";
import {
  interpolate,
  InterpolationError,
  isPlainObject,
  resolveDefaults,
} from "../config/interpolate.ts";
import { formatKeyPath, type KeyPath } from "../config/key_path.ts";
import { type ParsedSource, parseSource } from "../config/source.ts";
import { applyOverrides, parseOverride } from "./overrides.ts";
import { type PhaseRegistry, renderKeys } from "./phase.ts";
import { pipelineSchema } from "./schema.ts";
import { mergeSkipIds } from "./skip_ids.ts";

/** One phase of a plan, with fully resolved parameters. */
export interface PlannedPhase {
  /** Unique name (defaults to the kind). */
  name: string;
  /** The phase kind. */
  kind: string;
  /** Validated parameters, `name` and `kind` included. */
  params: Record<string, unknown>;
  /** Per-key hashes of `params`. */
  fingerprint: Fingerprint;
}

/** A validated pipeline, ready to run. */
export interface Plan {
  /** The run's name. */
  name: string;
  /** The pipeline file as given. */
  file: string;
  /** Its absolute path. */
  absFile: string;
  /** Its text, as read. */
  text: string;
  /** The `--set` flags applied, in order. */
  overrides: string[];
  /** Absolute run directory. */
  runDir: string;
  /** The resolved `defaults` table. */
  defaults: Record<string, unknown>;
  /** Phases in order. */
  phases: PlannedPhase[];
}

/** Options of {@linkcode loadPipeline}. */
export interface LoadOptions {
  /** `--set` flags, in order. */
  overrides?: readonly string[];
  /** Environment lookup. @default Deno.env.get */
  env?: (name: string) => string | undefined;
  /** Directory relative paths start from. @default Deno.cwd() */
  cwd?: string;
}

/**
 * Reads a pipeline file and builds its plan with the phase kinds of `registry`. Bad input throws a
 * one-line {@linkcode ConfigError}.
 */
export async function loadPipeline(
  file: string,
  registry: PhaseRegistry,
  options: LoadOptions = {},
): Promise<Plan> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new UsageError(`Cannot read pipeline file "${file}": ${reason}`);
  }
  return buildPlan(parseSource(file, text), registry, options);
}

/** Builds a plan from parsed pipeline text with the phase kinds of `registry`. */
export function buildPlan(
  source: ParsedSource,
  registry: PhaseRegistry,
  options: LoadOptions = {},
): Plan {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const cwd = options.cwd ?? Deno.cwd();
  const overrides = (options.overrides ?? []).map(parseOverride);
  const { data: raw, placed } = isPlainObject(source.data)
    ? applyOverrides(source.data, overrides, registry)
    : { data: {}, placed: [] };
  const fail = (path: KeyPath, detail: string): never => {
    const blamed = placed.findLast((p) => p.path.every((part, i) => part === path[i]));
    if (blamed) throw new UsageError(`Cannot apply --set "${blamed.override.raw}": ${detail}`);
    const at = source.locate(path);
    throw new ConfigError(
      { file: source.file, path: formatKeyPath(path), ...(at ?? {}) },
      detail,
    );
  };

  if (!isPlainObject(source.data)) fail([], "expected a table of keys at the top level");
  checkPhaseKinds(raw, registry, fail);

  let resolved: Record<string, unknown>;
  try {
    const rawDefaults = isPlainObject(raw.defaults) ? raw.defaults : {};
    const defaults = resolveDefaults(rawDefaults, env);
    const { defaults: _, ...rest } = raw;
    resolved = {
      ...(interpolate(rest, { env, defaults }, []) as Record<string, unknown>),
      ...(raw.defaults === undefined ? {} : { defaults }),
    };
  } catch (error) {
    if (error instanceof InterpolationError) fail(error.path, error.message);
    throw error;
  }

  const parsed = pipelineSchema(registry).safeParse(resolved);
  if (!parsed.success) reportIssue(parsed.error, resolved, registry, fail);
  const pipeline = parsed.data!;

  const seen = new Set<string>();
  const phases = pipeline.phases.map((phaseParams, index): PlannedPhase => {
    const kind = registry.get(String(phaseParams.kind))!;
    const params = mergeSkipIds(kind, phaseParams as Record<string, unknown>, env);
    const name = String(params.name ?? params.kind);
    if (seen.has(name)) {
      fail(
        ["phases", index, "name"],
        `duplicate phase name "${name}": give each phase its own name`,
      );
    }
    seen.add(name);
    return { name, kind: String(params.kind), params, fingerprint: fingerprint(params) };
  });

  return {
    name: pipeline.name,
    file: source.file,
    absFile: resolve(cwd, source.file),
    text: source.text,
    overrides: overrides.map((o) => o.raw),
    runDir: resolve(cwd, pipeline.output_dir),
    defaults: pipeline.defaults,
    phases,
  };
}

type Fail = (path: KeyPath, detail: string) => never;

function checkPhaseKinds(raw: Record<string, unknown>, registry: PhaseRegistry, fail: Fail) {
  if (raw.phases === undefined) fail(["phases"], "missing: expected a list of phases");
  if (!Array.isArray(raw.phases)) fail(["phases"], "expected a list of phases");
  const known = [...registry.keys()];
  (raw.phases as unknown[]).forEach((phase, index) => {
    if (!isPlainObject(phase)) fail(["phases", index], "expected a table with a kind");
    const kind = (phase as Record<string, unknown>).kind;
    if (kind === undefined) {
      fail(["phases", index], `missing "kind": expected one of ${known.join(", ")}`);
    }
    if (typeof kind !== "string" || !registry.has(kind)) {
      fail(
        ["phases", index, "kind"],
        `unknown phase kind "${String(kind)}"${didYouMean(String(kind), known)}; known kinds: ${
          known.join(", ")
        }`,
      );
    }
  });
}

function reportIssue(
  error: z.ZodError,
  data: Record<string, unknown>,
  registry: PhaseRegistry,
  fail: Fail,
): never {
  const issue = error.issues[0]!;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    return fail(
      [...path, key],
      `unknown key "${key}"${didYouMean(key, knownKeys(path, data, registry))}${more}`,
    );
  }
  if (issue.code === "invalid_type" || issue.code === "invalid_union") {
    const expected = expectedTypes(issue);
    const value = valueAt(data, path);
    if (expected && value === undefined) return fail(path, `missing: expected ${expected}${more}`);
    if (expected) return fail(path, `expected ${expected}, got ${describeType(value)}${more}`);
  }
  return fail(path, `${renderKeys(issue.message, (key) => `"${key}"`)}${more}`);
}

const TYPE_WORDS: Record<string, string> = { array: "list", object: "table", record: "table" };

function expectedTypes(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === "invalid_type") return TYPE_WORDS[issue.expected] ?? issue.expected;
  if (issue.code !== "invalid_union") return undefined;
  const types = issue.errors.map((branch) => branch[0]).map((first) =>
    first?.code === "invalid_type" && first.path.length === 0
      ? TYPE_WORDS[first.expected] ?? first.expected
      : undefined
  );
  return types.every(Boolean) && types.length > 0 ? [...new Set(types)].join(" or ") : undefined;
}

function knownKeys(
  path: KeyPath,
  data: Record<string, unknown>,
  registry: PhaseRegistry,
): string[] {
  if (path.length === 0) return ["name", "description", "output_dir", "defaults", "phases"];
  if (path[0] === "phases" && typeof path[1] === "number") {
    const phase = valueAt(data, path.slice(0, 2));
    const kind = isPlainObject(phase) ? registry.get(String(phase.kind)) : undefined;
    let shape = kind ? objectShape(kind.schema) : undefined;
    for (const key of path.slice(2)) shape = shape?.[key] ? objectShape(shape[key]) : undefined;
    return Object.keys(shape ?? {});
  }
  return [];
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let value = data;
  for (const key of path) {
    value = value !== null && typeof value === "object"
      ? (value as Record<string | number, unknown>)[key]
      : undefined;
  }
  return value;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "null";
  if (typeof value === "object") return "table";
  return `${typeof value} ${JSON.stringify(value)}`;
}
