/**
 * The `collect` phase: `velora collect` in a pipeline. Rows go to `output` (default
 * `<run dir>/tasks.jsonl`); a rerun only adds pull requests not yet collected. The token comes
 * from `GITHUB_TOKEN` and is never logged.
 *
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { InterruptedError } from "../errors.ts";
import {
  DATE_PROBLEM,
  globProblem,
  imageProblem,
  parserProblem,
  repoProblem,
  toDate,
} from "../collect/options.ts";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";

/** A string schema whose values `problem` checks. */
function checked(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: "custom", message });
  });
}

const date = checked((text) => (toDate(text, false) ? undefined : DATE_PROBLEM));

/** The keys of a collect phase. */
export const collectSchema = phaseSchema("collect", {
  repo: checked(repoProblem).describe("The GitHub repository"),
  output: z.string().optional().describe("JSONL file rows are appended to"),
  prs: z.array(z.number().int().positive()).optional().describe("Only these pull requests"),
  since: date.optional().describe("Merged on or after this date (ISO)"),
  until: date.optional().describe("Merged on or before this date (ISO)"),
  limit: z.number().int().positive().optional().describe(
    "Stop once this many selected pull requests are rows of the output",
  ),
  require_issue: z.boolean().default(false).describe("Skip pull requests that link no issue"),
  require_tests: z.boolean().default(true).describe(
    "Skip pull requests that do not change both test and non-test files",
  ),
  test_globs: z.array(checked(globProblem)).default([]).describe(
    "Test file globs (replace the defaults)",
  ),
  test_command: z.string().optional().describe("test_command of every row"),
  test_output_parser: checked(parserProblem).optional().describe("test_output_parser of every row"),
  image: checked(imageProblem).optional().describe("Image template → image_storage_uri"),
  api_url: z.string().optional().describe("REST API root (default GITHUB_API_URL or public)"),
}).superRefine((params, ctx) => {
  if (params.prs && (params.since !== undefined || params.until !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: "`since` or `until` cannot be used with `prs`: give one or the other",
    });
  }
});

/** The `collect` phase kind. */
export const collectPhase = definePhase({
  kind: "collect",
  description: "Make task rows from a GitHub repository's merged pull requests",
  schema: collectSchema,
  async run(params, ctx) {
    const since = params.since ? toDate(params.since, false) : undefined;
    const until = params.until ? toDate(params.until, true) : undefined;
    const output = params.output
      ? resolve(params.output)
      : resolve(ctx.runDir ?? ".", "tasks.jsonl");
    const token = Deno.env.get("GITHUB_TOKEN");
    const apiUrl = params.api_url ?? Deno.env.get("GITHUB_API_URL");
    // Loaded on use: pipelines without a collect phase never load the GitHub client.
    const { collectTasks, summaryLine } = await import("../collect/collect.ts");
    const summary = await collectTasks({
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
    ctx.result(summaryLine(summary, params.output ?? output));
    if (summary.interrupted) throw new InterruptedError("Interrupted during collection");
    const skipped = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
    return { collected: summary.collected, already: summary.already, skipped, output };
  },
});
