/**
 * The `collect` phase: `velora collect` in a pipeline. Rows go to `output` (default
 * `<run dir>/tasks.jsonl`); a rerun only adds pull requests not yet collected. The token comes
 * from `GITHUB_TOKEN` and is never logged.
 *
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { InterruptedError, PhaseFailedError, UsageError } from "../errors.ts";
import { checkRowFlags, parseDate } from "../collect/options.ts";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";

/** The keys of a collect phase. */
export const collectSchema = phaseSchema("collect", {
  repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected <owner>/<repo>")
    .describe("The GitHub repository"),
  output: z.string().optional().describe("JSONL file rows are appended to"),
  prs: z.array(z.number().int().positive()).optional().describe("Only these pull requests"),
  since: z.string().optional().describe("Merged on or after this date (ISO)"),
  until: z.string().optional().describe("Merged on or before this date (ISO)"),
  limit: z.number().int().positive().optional().describe(
    "Stop once this many selected pull requests are rows of the output",
  ),
  require_issue: z.boolean().default(false).describe("Skip pull requests that link no issue"),
  require_tests: z.boolean().default(true).describe(
    "Skip pull requests that do not change both test and non-test files",
  ),
  test_globs: z.array(z.string()).default([]).describe("Test file globs (replace the defaults)"),
  test_command: z.string().optional(),
  test_output_parser: z.string().optional(),
  image: z.string().optional().describe("Image template → image_storage_uri"),
  api_url: z.string().optional().describe("REST API root (default GITHUB_API_URL or public)"),
});

/** The `collect` phase kind. */
export const collectPhase = definePhase({
  kind: "collect",
  description: "Make task rows from a GitHub repository's merged pull requests",
  schema: collectSchema,
  async run(params, ctx) {
    let since: Date | undefined;
    let until: Date | undefined;
    try {
      since = params.since ? parseDate("since", params.since, false) : undefined;
      until = params.until ? parseDate("until", params.until, true) : undefined;
      checkRowFlags({
        ...(params.image ? { image: params.image } : {}),
        ...(params.test_output_parser ? { testOutputParser: params.test_output_parser } : {}),
        testGlob: params.test_globs,
      });
    } catch (error) {
      throw new PhaseFailedError((error as Error).message);
    }
    const output = params.output
      ? resolve(params.output)
      : resolve(ctx.runDir ?? ".", "tasks.jsonl");
    const token = Deno.env.get("GITHUB_TOKEN");
    const apiUrl = params.api_url ?? Deno.env.get("GITHUB_API_URL");
    // Loaded on use: pipelines without a collect phase never load the GitHub client.
    const { collectTasks, summaryLine } = await import("../collect/collect.ts");
    let summary;
    try {
      summary = await collectTasks({
        repo: params.repo,
        output,
        selection: {
          ...(params.prs ? { prs: params.prs } : {}),
          ...(since ? { since } : {}),
          ...(until ? { until } : {}),
        },
        ...(params.limit ? { limit: params.limit } : {}),
        filters: { requireIssue: params.require_issue, requireTests: params.require_tests },
        testGlobs: params.test_globs,
        ...(params.test_command ? { testCommand: params.test_command } : {}),
        ...(params.test_output_parser ? { testOutputParser: params.test_output_parser } : {}),
        ...(params.image ? { image: params.image } : {}),
        ...(apiUrl ? { apiUrl } : {}),
        ...(token ? { token } : {}),
        signal: ctx.signal,
        log: (line) => ctx.log(ctx.redact(line)),
      });
    } catch (error) {
      if (error instanceof UsageError) throw new PhaseFailedError(error.message);
      throw error;
    }
    ctx.log(summaryLine(summary, output));
    if (summary.interrupted) throw new InterruptedError("Interrupted during collection");
    const skipped = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
    return { collected: summary.collected, already: summary.already, skipped, output };
  },
});
