/**
 * `velora export <output-dir> --format <format>`: the `export` phase as a command. Trajectories
 * for fine-tuning (OpenAI, ShareGPT) or patches for benchmark harnesses (SWE-bench predictions,
 * Multi-SWE-bench patches).
 *
 * @module
 */
import type { ExportFormat } from "../export/run_export.ts";
import { exportPhase } from "../phases/export.ts";
import { runKind } from "../pipeline/run_kind.ts";
import { withInterrupts } from "./_interrupt.ts";

/** Flags of `velora export`. */
export interface ExportFlags {
  format: ExportFormat;
  output?: string;
  resolvedOnly?: true;
  excludeErrors?: true;
  minTurns?: number;
  maxTurns?: number;
  instanceIds: string[];
  modelName?: string;
}

/** The `export` phase table of a command line. */
export function exportTable(target: string, flags: ExportFlags): Record<string, unknown> {
  return {
    format: flags.format,
    output_dir: target,
    out: flags.output,
    resolved_only: flags.resolvedOnly,
    exclude_errors: flags.excludeErrors,
    min_turns: flags.minTurns,
    max_turns: flags.maxTurns,
    ids: flags.instanceIds.length > 0 ? flags.instanceIds : undefined,
    model_name: flags.modelName,
  };
}

/** Implements `velora export`. */
export async function exportCommand(target: string, flags: ExportFlags): Promise<void> {
  await withInterrupts(({ signal }) =>
    runKind(exportPhase, exportTable(target, flags), {
      signal,
      labels: { output_dir: "<output-dir>", ids: "--instance-ids", out: "--output" },
    })
  );
}
