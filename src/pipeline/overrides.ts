/**
 * `--set` overrides: `--set <phase>.<key>=<value>`, `--set defaults.<key>=<value>` and
 * `--set <top-level key>=<value>`, typed by the schema.
 *
 * @module
 */
import { didYouMean } from "../did_you_mean.ts";
import { UsageError } from "../errors.ts";
import type { PhaseRegistry } from "./phase.ts";
import { childSchema, coerce, objectShape } from "./_zod.ts";
import { isPlainObject } from "../config/interpolate.ts";
import { TOP_LEVEL_SHAPE } from "./schema.ts";
import type { KeyPath } from "../config/key_path.ts";

/** One parsed `--set` flag. */
export interface Override {
  /** The flag's text, for messages. */
  raw: string;
  /** The dotted key path, split. */
  path: string[];
  /** The value text. */
  value: string;
}

/** Splits `a.b=value` into its path and value; the value may contain `=`. */
export function parseOverride(raw: string): Override {
  const eq = raw.indexOf("=");
  const key = eq === -1 ? "" : raw.slice(0, eq).trim();
  if (eq === -1 || key === "" || key.split(".").some((part) => part === "")) {
    throw new UsageError(
      `Cannot parse --set "${raw}": expected <phase>.<key>=<value> or defaults.<key>=<value>`,
    );
  }
  return { raw, path: key.split("."), value: raw.slice(eq + 1) };
}

/** The document with overrides applied, and where in it each override landed. */
export interface OverriddenDocument {
  /** The new document (the input is not changed). */
  data: Record<string, unknown>;
  /** Document key path of each override, so a bad value can be blamed on its flag. */
  placed: { path: KeyPath; override: Override }[];
}

/**
 * Applies overrides to the parsed (not yet interpolated) document, in order. Values are typed by
 * the phase kind's schema; `defaults.*` values keep the type of the value they replace.
 */
export function applyOverrides(
  data: Record<string, unknown>,
  overrides: readonly Override[],
  registry: PhaseRegistry,
): OverriddenDocument {
  const out = structuredClone(data);
  const placed = overrides.map((override) => ({
    path: applyOne(out, override, registry),
    override,
  }));
  return { data: out, placed };
}

function applyOne(
  data: Record<string, unknown>,
  override: Override,
  registry: PhaseRegistry,
): KeyPath {
  const [head, ...rest] = override.path as [string, ...string[]];
  if (head === "defaults") {
    if (rest.length === 0) throw badPath(override, 'expected "defaults.<key>"');
    const defaults = isPlainObject(data.defaults) ? data.defaults : (data.defaults = {});
    setIn(defaults, rest, coerceLike(getIn(defaults, rest), override.value));
    return override.path;
  }
  if (rest.length === 0) {
    const schema = TOP_LEVEL_SHAPE[head as keyof typeof TOP_LEVEL_SHAPE];
    if (!schema || head === "defaults") {
      throw badPath(
        override,
        `"${head}" is not a top-level key or phase.key${
          didYouMean(head, Object.keys(TOP_LEVEL_SHAPE))
        }`,
      );
    }
    data[head] = coerce(schema, override.value);
    return override.path;
  }
  const phases = Array.isArray(data.phases) ? data.phases.filter(isPlainObject) : [];
  const names = phases.map((phase) => String(phase.name ?? phase.kind));
  const phase = phases[names.indexOf(head)];
  if (!phase) {
    throw badPath(
      override,
      `no phase named "${head}"${didYouMean(head, names)} (phases: ${names.join(", ") || "none"})`,
    );
  }
  const kind = registry.get(String(phase.kind));
  if (!kind) throw badPath(override, `phase "${head}" has unknown kind "${String(phase.kind)}"`);
  let schema = kind.schema as Parameters<typeof coerce>[0];
  for (const [i, key] of rest.entries()) {
    const next = childSchema(schema, key);
    if (!next || (i === 0 && (key === "kind" || key === "name"))) {
      const keys = Object.keys(objectShape(schema) ?? {}).filter((k) =>
        k !== "kind" && k !== "name"
      );
      const where = [head, ...rest.slice(0, i)].join(".");
      throw badPath(
        override,
        `"${key}" is not a key of ${where} (kind "${kind.kind}")${didYouMean(key, keys)}; keys: ${
          keys.join(", ")
        }`,
      );
    }
    schema = next;
  }
  setIn(phase, rest, coerce(schema, override.value));
  return ["phases", phases.indexOf(phase), ...rest];
}

function badPath(override: Override, detail: string): UsageError {
  return new UsageError(`Cannot apply --set "${override.raw}": ${detail}`);
}

function getIn(target: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = target;
  for (const key of path) value = isPlainObject(value) ? value[key] : undefined;
  return value;
}

function setIn(target: Record<string, unknown>, path: string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function coerceLike(previous: unknown, raw: string): unknown {
  if (typeof previous === "number") {
    const value = Number(raw);
    return raw.trim() !== "" && Number.isFinite(value) ? value : raw;
  }
  if (typeof previous === "boolean" && /^(true|false)$/i.test(raw.trim())) {
    return raw.trim().toLowerCase() === "true";
  }
  if (Array.isArray(previous)) return raw.trim() === "" ? [] : raw.split(",").map((s) => s.trim());
  return raw;
}
