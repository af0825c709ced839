/**
 * The `report` phase: writes `report.html` for each output directory of the run (or the one
 * `output_dir` names).
 *
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { PhaseFailedError } from "../errors.ts";
import { phaseOutputFiles, phaseOutputInputs } from "../output/phase_targets.ts";
import { writeReport } from "../report/write_report.ts";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";

const schema = phaseSchema("report", {
  output_dir: z.string().optional().describe(
    "Output directory or output.jsonl (default: every output.jsonl under <run dir>/outputs)",
  ),
  out: z.string().optional().describe("Where report.html goes (one output only)"),
  title: z.string().optional().describe("Page title"),
  max_chars: z.number().int().positive().default(4000).describe(
    "Longest observation kept whole; longer ones keep their head and tail",
  ),
});

/** The `report` phase kind. */
export const reportPhase = definePhase({
  kind: "report",
  description: "Write report.html: summary, charts, instance table and trajectory viewer",
  schema,
  inputs: (params, ctx) => phaseOutputInputs(ctx.runDir, params.output_dir, true),
  async run(params, ctx) {
    const files = await phaseOutputFiles(ctx.runDir, params.output_dir);
    if (params.out && files.length > 1) {
      throw new PhaseFailedError(
        `"out" names one file but the run has ${files.length} outputs; set output_dir too`,
      );
    }
    let instances = 0;
    let resolved = 0;
    let last = "";
    for (const file of files) {
      const result = await writeReport(file, {
        ...(params.out ? { out: resolve(params.out) } : {}),
        ...(params.title ? { title: params.title } : {}),
        maxChars: params.max_chars,
        warn: (message) => ctx.log(message),
      });
      const s = result.summary;
      ctx.result(
        `Wrote ${result.path} (${(result.bytes / 1e6).toFixed(1)} MB): ${s.instances} instances, ` +
          `${s.resolved} resolved, ${s.evaluated} evaluated`,
      );
      instances += result.summary.instances;
      resolved += result.summary.resolved;
      last = result.path;
    }
    return {
      reports: files.length,
      instances,
      resolved,
      ...(files.length === 1 ? { report: last } : {}),
    };
  },
});
