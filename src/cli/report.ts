/**
 * `velora report <output-dir>`: the `report` phase as a command; writes `report.html` for an
 * output directory.
 *
 * @module
 */
import { reportPhase } from "../phases/report.ts";
import { runKind } from "../pipeline/run_kind.ts";
import { withInterrupts } from "./_interrupt.ts";

/** Flags of `velora report`. */
export interface ReportFlags {
  output?: string;
  title?: string;
  maxChars?: number;
}

/** Implements `velora report`. */
export async function reportCommand(target: string, flags: ReportFlags): Promise<void> {
  await withInterrupts(({ signal }) =>
    runKind(reportPhase, {
      output_dir: target,
      out: flags.output,
      title: flags.title,
      max_chars: flags.maxChars,
    }, { signal, labels: { output_dir: "<output-dir>", out: "--output" } })
  );
}
