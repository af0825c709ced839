/**
 * `velora collect <owner>/<repo>`: the `collect` phase as a command; Velora task rows from a
 * repository's merged pull requests.
 *
 * @module
 */
import { parsePrs } from "../collect/options.ts";
import { collectPhase } from "../phases/collect.ts";
import { runKind } from "../pipeline/run_kind.ts";
import { withInterrupts } from "./_interrupt.ts";

/** Flags of `velora collect`. */
export interface CollectFlags {
  output: string;
  prs: string[];
  since?: string;
  until?: string;
  limit?: number;
  requireIssue?: true;
  requireTests: boolean;
  testGlob: string[];
  testCommand?: string;
  testOutputParser?: string;
  image?: string;
  apiUrl?: string;
}

/** Implements `velora collect`. */
export async function collectCommand(repo: string, flags: CollectFlags): Promise<void> {
  const table = {
    repo,
    output: flags.output,
    prs: flags.prs.length > 0 ? parsePrs(flags.prs) : undefined,
    since: flags.since,
    until: flags.until,
    limit: flags.limit,
    require_issue: flags.requireIssue,
    require_tests: flags.requireTests,
    test_globs: flags.testGlob,
    test_command: flags.testCommand,
    test_output_parser: flags.testOutputParser,
    image: flags.image,
    api_url: flags.apiUrl,
  };
  await withInterrupts(({ signal }) =>
    runKind(collectPhase, table, {
      signal,
      labels: {
        repo: "repository",
        test_globs: "--test-glob",
        require_tests: "--no-require-tests",
      },
    })
  );
}
