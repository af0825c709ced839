/**
 * What the evaluate phase reads from one test log, for `velora parse`: the parser a row gets and
 * the way evaluate applies it, without a container or a verdict.
 *
 * - By `test_output_parser` name (Velora and SWE-bench rows): the name resolves as in a row
 *   (`mod.ts`); when the log is a `test_output.txt` with the `>>>>> Start Test Output` marker, only
 *   the part between it and `>>>>> End Test Output` is read, as evaluate does. Every status the
 *   parser gives is reported.
 * - By Multi-SWE-bench repository (`org/repo`, optional PR number): `msbParser` on the whole log,
 *   read back the way the reference harness reads `fix-patch-run.log`, mapped to the three
 *   `TestResult` sets the rule uses (`testResultFromParsed`).
 *
 * @module
 */
import { testResultFromParsed } from "../mswebench_rule.ts";
import { resolveParser } from "./mod.ts";
import { msbParser } from "./mswebench/mod.ts";
import { type ParsedTests, type TestStatus, UnknownParserError } from "./types.ts";

/** Which parser: a `test_output_parser` name, or a Multi-SWE-bench repository. */
export type LogSelection = { parser: string } | { repo: string; number?: number };

/** The tests a log yields, by outcome, in the order the parser found them. */
export interface LogSets {
  passed: string[];
  failed: string[];
  skipped: string[];
  /** Velora parsers' other statuses, present only when some test has them. */
  error?: string[];
  xfail?: string[];
  xpass?: string[];
}

/** The reading, and how it was made. */
export interface LogReading {
  sets: LogSets;
  /** One line: the parser and why it was picked. */
  parser: string;
  /** True when only the marked test section of a `test_output.txt` was read. */
  section: boolean;
}

/** The markers `eval.sh` prints around the test command (`eval_script.ts`). */
const TEST_OUTPUT_START = ">>>>> Start Test Output";
const TEST_OUTPUT_END = ">>>>> End Test Output";

/**
 * Reads `log` as the evaluate phase would.
 *
 * @throws {UnknownParserError} an unknown name or repository, or a `cmd:` parser (which runs a
 *   command of the user's, not a built-in parser).
 * @throws {LogParseError} the parser rejects the log (evaluate: an `error_eval` instance).
 */
export function readTestLog(log: string, selection: LogSelection): LogReading {
  if ("repo" in selection) {
    const [org, repo, ...rest] = selection.repo.split("/");
    if (!org || !repo || rest.length > 0) {
      throw new UnknownParserError(
        selection.repo,
        `--repo must be <org>/<repo> (e.g. iamkun/dayjs), got "${selection.repo}"`,
      );
    }
    const number = selection.number ?? 0;
    const chosen = msbParser(org, repo, number);
    const result = testResultFromParsed(chosen.parse(log));
    const pr = selection.number === undefined ? "" : ` PR ${number}`;
    return {
      sets: {
        passed: result.passed_tests,
        failed: result.failed_tests,
        skipped: result.skipped_tests,
      },
      parser: `mswebench/${chosen.family} (${chosen.label}), Multi-SWE-bench's parser for ` +
        `${org}/${repo}${pr}`,
      section: false,
    };
  }
  const resolved = resolveParser(selection.parser);
  if (resolved.kind === "command") {
    throw new UnknownParserError(
      selection.parser,
      `"${selection.parser}" is a command parser; velora parse runs the built-in ones: run ` +
        `"${resolved.command}" with the log on its standard input`,
    );
  }
  const start = log.indexOf(TEST_OUTPUT_START);
  let text = log;
  if (start !== -1) {
    const end = log.indexOf(TEST_OUTPUT_END, start);
    text = log.slice(start + TEST_OUTPUT_START.length, end === -1 ? undefined : end);
  }
  const { entry } = resolved;
  const named = entry.name === selection.parser.trim() ? "" : ` (asked for "${selection.parser}")`;
  return {
    sets: byStatus(entry.parse(text)),
    parser: `${entry.name}${named}`,
    section: start !== -1,
  };
}

const KEYS: Record<TestStatus, keyof LogSets> = {
  PASSED: "passed",
  FAILED: "failed",
  SKIPPED: "skipped",
  ERROR: "error",
  XFAIL: "xfail",
  XPASS: "xpass",
};

function byStatus(tests: ParsedTests): LogSets {
  const sets: LogSets = { passed: [], failed: [], skipped: [] };
  for (const [name, status] of tests) (sets[KEYS[status]] ??= []).push(name);
  return sets;
}
