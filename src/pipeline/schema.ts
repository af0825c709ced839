/**
 * The pipeline file schema, built from the phase registry.
 *
 * @module
 */
import { z } from "zod";
import type { PhaseRegistry } from "./phase.ts";

/** The top-level keys of a pipeline file, phases aside. */
export const TOP_LEVEL_SHAPE = {
  name: z.string().min(1).describe("Name of the run"),
  description: z.string().optional().describe("What this pipeline is for"),
  output_dir: z.string().min(1).describe(
    "Run directory: state, logs and outputs (relative paths start where velora is run)",
  ),
  defaults: z.record(z.string(), z.unknown()).default({}).describe(
    'Values other keys reference as "${defaults.key}"',
  ),
};

/** Builds the whole-file schema: top-level keys plus a list of phases of the registry's kinds. */
export function pipelineSchema(registry: PhaseRegistry) {
  const kinds = [...registry.values()].map((phase) => phase.schema);
  const phase = kinds.length === 1 ? kinds[0]! : z.discriminatedUnion(
    "kind",
    kinds as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]],
  );
  return z.strictObject({
    ...TOP_LEVEL_SHAPE,
    phases: z.array(phase).min(1, "expected at least one phase").describe(
      "Phases, run in order",
    ),
  });
}

/**
 * The JSON Schema of pipeline files, for editor completion (`velora schema`). Pipelines are checked
 * after `${...}` references are resolved, so wherever a value is not a plain string it may also be
 * a string that is one whole reference (`num_workers = "${defaults.num_workers}"`): the schema
 * accepts the file as written.
 */
export function pipelineJsonSchema(registry: PhaseRegistry): Record<string, unknown> {
  const schema = z.toJSONSchema(pipelineSchema(registry), { io: "input", unrepresentable: "any" });
  return { ...acceptReferences(schema) as Record<string, unknown>, title: "velora pipeline" };
}

/** A string that is one `${...}` reference. */
const REFERENCE_SCHEMA = { type: "string", pattern: "^\\$\\{[^}]+\\}$" };

/** Rewrites every property schema (but `kind`) that a plain string would fail to accept a reference. */
function acceptReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(acceptReferences);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key !== "properties" || typeof value !== "object" || value === null) {
      out[key] = acceptReferences(value);
      continue;
    }
    out[key] = Object.fromEntries(
      Object.entries(value).map(([name, property]) => {
        const inner = acceptReferences(property) as Record<string, unknown>;
        if (name === "kind" || name === "phases" || isPlainString(inner)) return [name, inner];
        const { description, default: fallback, ...rest } = inner;
        return [name, {
          ...(description === undefined ? {} : { description }),
          ...(fallback === undefined ? {} : { default: fallback }),
          anyOf: [rest, REFERENCE_SCHEMA],
        }];
      }),
    );
  }
  return out;
}

function isPlainString(schema: Record<string, unknown>): boolean {
  return schema.type === "string" && !("enum" in schema) && !("const" in schema) &&
    !("pattern" in schema);
}
