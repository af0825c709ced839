/**
 * `${...}` references in pipeline and config values: `${env.NAME}`, `${env.NAME:-default}` and
 * `${defaults.key}`. `$${` writes a literal `${`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { KeyPath } from "./key_path.ts";

/**
 * A reference that cannot be resolved, at a key path of the document. The loaders turn it into a
 * `ConfigError` naming the file and line.
 */
export class InterpolationError extends UsageError {
  constructor(readonly path: KeyPath, message: string) {
    super(message);
  }
}

/** What references resolve against. */
export interface InterpolationContext {
  /** Reads an environment variable. */
  env(name: string): string | undefined;
  /** The pipeline's `defaults` table, already resolved. */
  defaults: Record<string, unknown>;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{[^}]*$/g;
const WHOLE_REFERENCE = /^\$\{\s*defaults\.([^}]+?)\s*\}$/;

/** Resolves every reference in a value tree; strings that are one `${defaults.x}` keep x's type. */
export function interpolate(value: unknown, ctx: InterpolationContext, path: KeyPath): unknown {
  if (typeof value === "string") return interpolateString(value, ctx, path);
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, ctx, [...path, i]));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = interpolate(item, ctx, [...path, key]);
    }
    return out;
  }
  return value;
}

/**
 * Resolves the `defaults` table itself: defaults may use `${env.X}` and other defaults; a cycle
 * is an error naming the keys in it.
 */
export function resolveDefaults(
  raw: Record<string, unknown>,
  env: InterpolationContext["env"],
): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  const visiting: string[] = [];
  const lookup = new Proxy({} as Record<string, unknown>, {
    get(_target, key) {
      if (typeof key !== "string" || !Object.hasOwn(raw, key)) return undefined;
      return resolveKey(key);
    },
    has(_target, key) {
      return typeof key === "string" && Object.hasOwn(raw, key);
    },
  });
  const ctx: InterpolationContext = { env, defaults: lookup };
  const resolveKey = (key: string): unknown => {
    if (Object.hasOwn(resolved, key)) return resolved[key];
    if (visiting.includes(key)) {
      const cycle = [...visiting.slice(visiting.indexOf(key)), key].join(" -> ");
      throw new InterpolationError(["defaults", key], `circular reference: ${cycle}`);
    }
    visiting.push(key);
    resolved[key] = interpolate(raw[key], ctx, ["defaults", key]);
    visiting.pop();
    return resolved[key];
  };
  for (const key of Object.keys(raw)) resolveKey(key);
  return resolved;
}

function interpolateString(text: string, ctx: InterpolationContext, path: KeyPath): unknown {
  const whole = text.match(WHOLE_REFERENCE);
  if (whole?.[1]) return lookupDefault(whole[1], ctx, path);
  return text.replace(REFERENCE, (match, expression: string | undefined) => {
    if (match === "$${") return "${";
    if (!match.endsWith("}")) {
      throw new InterpolationError(
        path,
        `"${match}" is not closed: expected "}" (write "$\${" for a literal "\${")`,
      );
    }
    const value = resolveExpression((expression ?? "").trim(), ctx, path);
    if (typeof value === "object" && value !== null) {
      throw new InterpolationError(
        path,
        `"${match}" is a table or list and cannot be part of a string`,
      );
    }
    return String(value);
  });
}

function resolveExpression(expression: string, ctx: InterpolationContext, path: KeyPath): unknown {
  if (expression.startsWith("env.")) {
    const body = expression.slice(4);
    const split = body.indexOf(":-");
    const name = split === -1 ? body : body.slice(0, split);
    const fallback = split === -1 ? undefined : body.slice(split + 2);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new InterpolationError(
        path,
        `"\${${expression}}" is not a valid environment variable name`,
      );
    }
    const value = ctx.env(name);
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    throw new InterpolationError(
      path,
      `environment variable "${name}" is not set (write "\${env.${name}:-default}" to give a default)`,
    );
  }
  if (expression.startsWith("defaults.")) return lookupDefault(expression.slice(9), ctx, path);
  throw new InterpolationError(
    path,
    `cannot resolve "\${${expression}}": expected "\${env.NAME}", "\${env.NAME:-default}" or "\${defaults.key}"`,
  );
}

function lookupDefault(dotted: string, ctx: InterpolationContext, path: KeyPath): unknown {
  let value: unknown = ctx.defaults;
  for (const part of dotted.trim().split(".")) {
    if (!isPlainObject(value) || !(part in value)) {
      const known = Object.keys(ctx.defaults).join(", ") || "none";
      throw new InterpolationError(
        path,
        `"\${defaults.${dotted.trim()}}" is not defined in [defaults] (defined: ${known})`,
      );
    }
    value = value[part];
  }
  return value;
}

/** True for `{...}` objects (not arrays, dates or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
