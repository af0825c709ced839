/**
 * The `export` phase: exports each output directory of the run (or the one `output_dir` names)
 * in one format, into `<output dir>/export/<format>/` (or `out`).
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { PhaseFailedError } from "../errors.ts";
import { EXPORT_FORMATS, runExport } from "../export/run_export.ts";
import { phaseOutputFiles, phaseOutputInputs } from "../output/phase_targets.ts";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";

const schema = phaseSchema("export", {
  format: z.enum(EXPORT_FORMATS).describe(
    "openai or sharegpt (trajectories), swe-bench-preds or multi-swe-bench (patches)",
  ),
  output_dir: z.string().optional().describe(
    "Output directory or output.jsonl (default: every output.jsonl under <run dir>/outputs)",
  ),
  out: z.string().optional().describe("Folder to write into (one output only)"),
  resolved_only: z.boolean().default(false).describe("Only resolved instances"),
  exclude_errors: z.boolean().default(false).describe(
    "Leave out rows with an error (agent limits and failures, evaluation errors)",
  ),
  min_turns: z.number().int().nonnegative().optional().describe("At least this many model turns"),
  max_turns: z.number().int().nonnegative().optional().describe("At most this many model turns"),
  ids: z.array(z.string()).optional().describe("Only these instance ids"),
  model_name: z.string().optional().describe("model_name_or_path of SWE-bench predictions"),
}).superRefine((params, ctx) => {
  const { min_turns: min, max_turns: max } = params;
  if (min !== undefined && max !== undefined && min > max) {
    ctx.addIssue({
      code: "custom",
      path: ["min_turns"],
      message: `more than \`max_turns\` (${max}): nothing can match`,
    });
  }
});

/** The `export` phase kind. */
export const exportPhase = definePhase({
  kind: "export",
  description: "Export trajectories (OpenAI, ShareGPT) or patches (SWE-bench, Multi-SWE-bench)",
  schema,
  inputs: (params, ctx) => phaseOutputInputs(ctx.runDir, params.output_dir, true),
  async run(params, ctx) {
    const files = await phaseOutputFiles(ctx.runDir, params.output_dir);
    if (params.out && files.length > 1) {
      throw new PhaseFailedError(
        `"out" names one folder but the run has ${files.length} outputs; set output_dir too`,
      );
    }
    let rows = 0;
    let written = 0;
    for (const file of files) {
      const result = await runExport(file, {
        format: params.format,
        outDir: params.out ? resolve(params.out) : join(dirname(file), "export", params.format),
        filters: {
          resolvedOnly: params.resolved_only,
          excludeErrors: params.exclude_errors,
          ...(params.min_turns === undefined ? {} : { minTurns: params.min_turns }),
          ...(params.max_turns === undefined ? {} : { maxTurns: params.max_turns }),
          ...(params.ids ? { ids: params.ids } : {}),
        },
        ...(params.model_name ? { modelName: params.model_name } : {}),
      });
      const left = Object.entries(result.excluded).map(([why, n]) => `${why} ${n}`).join(", ");
      ctx.result(
        `Exported ${result.written} of ${result.rows} instances (${params.format}) to ` +
          `${result.outDir}${left ? `; left out: ${left}` : ""}`,
      );
      rows += result.rows;
      written += result.written;
    }
    return { format: params.format, outputs: files.length, instances: rows, written };
  },
});
