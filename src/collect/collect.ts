/**
 * Collection of one repository: each selected pull request becomes a Velora row appended (and
 * fsynced) to the output JSONL, or a line in `<output>.skipped.jsonl` saying why not. Rows
 * already in the output are not fetched again, so a rerun collects only what is new; skipped
 * pull requests are looked at again (an issue may have been linked since). Per-PR HTTP errors
 * (404, 403, …) are recorded and skipped; an unreadable repository fails the whole run.
 *
 * @module
 */
import { UsageError, VeloraError } from "../errors.ts";
import { JsonlWriter } from "../output/jsonl_writer.ts";
import { createGitHub, type GitHub, redactToken } from "./github.ts";
import { collectPullRequest, type PullFilters } from "./pull_request.ts";
import { candidatePulls, type PullSelection } from "./select_pulls.ts";
import { instanceIdOf } from "./task_row.ts";
import { testPathMatcher } from "./test_paths.ts";

/** What to collect and how. */
export interface CollectOptions {
  /** `owner/name`. */
  repo: string;
  /** The JSONL file rows are appended to. */
  output: string;
  selection: PullSelection;
  /** Stop once this many selected pull requests are rows of the output (old ones count). */
  limit?: number;
  filters: PullFilters;
  /** Globs of test files, replacing the language's rules (`test_paths.ts`) when not empty. */
  testGlobs: string[];
  testCommand?: string;
  testOutputParser?: string;
  /** Image template → `image_storage_uri`. */
  image?: string;
  /** REST API root. */
  apiUrl?: string;
  /** `GITHUB_TOKEN`; never printed. */
  token?: string;
  /** Waits per request after rate limits. @default 3 */
  rateLimitRetries?: number;
  signal?: AbortSignal;
  /** Progress lines (redacted). */
  log(line: string): void;
}

/** What a collection did. */
export interface CollectSummary {
  /** Pull requests looked at. */
  considered: number;
  /** New rows written. */
  collected: number;
  /** Selected pull requests already in the output. */
  already: number;
  /** Pull requests skipped, by reason. */
  skipped: Record<string, number>;
  /** True when stopped by the signal. */
  interrupted: boolean;
  /** Where skips are recorded. */
  skippedFile: string;
}

/** Collects; throws {@linkcode UsageError} when the repository cannot be read. */
export async function collectTasks(options: CollectOptions): Promise<CollectSummary> {
  const log = (line: string) => options.log(redactToken(line, options.token));
  const github = createGitHub({
    ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    ...(options.token ? { token: options.token } : {}),
    ...(options.rateLimitRetries !== undefined
      ? { rateLimitRetries: options.rateLimitRetries }
      : {}),
    log,
  });
  const { owner, repo, language } = await readRepository(github, options.repo, options.token);
  let isTest: (path: string) => boolean;
  try {
    isTest = testPathMatcher(language ?? undefined, options.testGlobs);
  } catch (error) {
    throw new UsageError(`Cannot use the test globs: ${(error as Error).message}`);
  }
  const writer = await JsonlWriter.open(options.output);
  const existing = new Set(writer.ids());
  const skippedFile = `${options.output}.skipped.jsonl`;
  let skips: JsonlWriter | undefined;
  const summary: CollectSummary = {
    considered: 0,
    collected: 0,
    already: 0,
    skipped: {},
    interrupted: false,
    skippedFile,
  };
  const skip = async (number: number, reason: string) => {
    const key = reason.replace(/:.*/, "");
    summary.skipped[key] = (summary.skipped[key] ?? 0) + 1;
    log(`#${number}: skipped: ${reason}`);
    skips ??= await JsonlWriter.open(skippedFile);
    await skips.replace([{
      instance_id: instanceIdOf(owner, repo, number),
      pull_number: number,
      reason: redactToken(reason, options.token),
      at: new Date().toISOString(),
    }]);
  };
  const settings = {
    isTest,
    ...(options.testCommand ? { testCommand: options.testCommand } : {}),
    ...(options.testOutputParser ? { testOutputParser: options.testOutputParser } : {}),
    ...(options.image ? { image: options.image } : {}),
  };

  for await (const candidate of candidatePulls(github, owner, repo, options.selection)) {
    if (options.signal?.aborted) {
      summary.interrupted = true;
      break;
    }
    if (options.limit !== undefined && summary.already + summary.collected >= options.limit) break;
    summary.considered++;
    const number = "pr" in candidate ? candidate.pr.number : candidate.number;
    const id = instanceIdOf(owner, repo, number);
    if (existing.has(id)) {
      summary.already++;
      continue;
    }
    if ("error" in candidate) {
      await skip(number, httpReason(candidate.error));
      continue;
    }
    try {
      const result = await collectPullRequest(
        github,
        { owner, repo, language },
        candidate.pr,
        options.filters,
        settings,
        log,
      );
      if ("skipped" in result) {
        await skip(number, result.skipped);
        continue;
      }
      await writer.append(result.row);
      existing.add(id);
      summary.collected++;
      log(`#${number}: collected ${id}`);
    } catch (error) {
      await skip(number, httpReason(error));
    }
  }
  return summary;
}

/** A one-line summary of a collection. */
export function summaryLine(summary: CollectSummary, output: string): string {
  const skipped = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(summary.skipped).map(([k, v]) => `${k} ${v}`).join(", ");
  return `collected ${summary.collected} new task(s) into ${output}` +
    (summary.already ? `, ${summary.already} already there` : "") +
    (skipped ? `; skipped ${skipped} (${reasons}), see ${summary.skippedFile}` : "") +
    (summary.interrupted ? "; interrupted" : "");
}

async function readRepository(github: GitHub, name: string, token: string | undefined) {
  const [owner, repo] = name.split("/") as [string, string];
  try {
    const { data } = await github.repos.get({ owner, repo });
    const [canonicalOwner, canonicalRepo] = data.full_name.split("/") as [string, string];
    return { owner: canonicalOwner, repo: canonicalRepo, language: data.language };
  } catch (error) {
    const reason = redactToken(httpReason(error), token);
    const status = (error as { status?: number }).status;
    if (status === 401 || status === 403 || status === 404) {
      throw new UsageError(`Cannot read repository "${name}": ${reason}`);
    }
    throw new VeloraError(`Cannot read repository "${name}": ${reason}`);
  }
}

/**
 * A one-line reason for a failed request: `HTTP 404: Not Found`. Errors that are not HTTP
 * answers (the server cannot be reached) are rethrown: they would fail every pull request.
 */
function httpReason(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  if (typeof status !== "number" || status < 400) {
    throw error instanceof VeloraError ? error : new VeloraError(
      `GitHub request failed: ${(error as Error).message ?? String(error)}`,
      { cause: error },
    );
  }
  const message = String((error as Error).message ?? "").split(" - ")[0]!.split("\n")[0]!;
  return `HTTP ${status}: ${message}`;
}
