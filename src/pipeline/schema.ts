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

/** The JSON Schema of pipeline files, for editor completion (`velora schema`). */
export function pipelineJsonSchema(registry: PhaseRegistry): Record<string, unknown> {
  return {
    ...z.toJSONSchema(pipelineSchema(registry), { io: "input", unrepresentable: "any" }),
    title: "velora pipeline",
  };
}
