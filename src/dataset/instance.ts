/**
 * One task, whatever row format it came from.
 *
 * @module
 */

/** The row formats velora reads. */
export type RowFormat = "velora" | "multi_swe_bench" | "swe_bench";

/** A task normalized from a dataset row. */
export interface Instance {
  /** `instance_id`, e.g. `grpc__grpc-go-3476` or `1769848885641113`. */
  instance_id: string;
  /** Which row format it came from. */
  format: RowFormat;
  /** `owner/name`. */
  repo: string;
  /** The pull request number (Multi-SWE-bench rows). */
  number?: number;
  /** The commit the repository is at in the image. */
  base_commit: string;
  /** The issue text the agent gets. */
  problem_statement: string;
  /** Hints (appended to the instruction only with `USE_HINT_TEXT`). */
  hints_text: string;
  /** Version string used in the workspace directory name (`0.1` for Multi-SWE-bench rows). */
  version: string;
  /** Language, lowercased, when the row says. */
  language?: string;
  /** Tests that must go from failing to passing. */
  FAIL_TO_PASS: string[];
  /** Tests that must keep passing. */
  PASS_TO_PASS: string[];
  /** The reference (gold) patch of non-test files. */
  patch: string;
  /** The reference test patch(es). */
  test_patch: string[];
  /** Velora rows: the command that runs the tests, from the repo root. */
  test_command?: string;
  /** Velora rows: the parser name for the test log. */
  test_output_parser?: string;
  /** Where the image comes from: `s3://`, `https://`, a path, or a docker reference. */
  image_storage_uri?: string;
  /** Where the repository is inside the image, when the row says. */
  repo_path?: string;
  /** The row as read, for `output.jsonl` and the Multi-SWE-bench evaluator. */
  row: Record<string, unknown>;
}

/** Where images keep the repository, tried in order when neither the phase nor the row says. */
export function repoCandidates(instance: Instance): string[] {
  const name = instance.repo.split("/").at(-1) ?? instance.repo;
  return [`/home/${name}`, "/app/repo", "/testbed", `/workspace/${name}`];
}
