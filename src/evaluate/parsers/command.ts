/**
 * Custom command parsers: `test_output_parser = "cmd:python3 parsers/x.py"`.
 *
 * The command gets the whole test log on stdin and prints one JSON object
 * `{"test name": "PASSED", ...}` on stdout, so users' existing parser scripts keep working. Where
 * and how the command runs is the caller's business: a parser named by a dataset row is data, not
 * code, so the evaluate harness runs it inside the evaluation container, and on the host only when
 * the pipeline or the command line trusts row parsers (`trust_row_parsers`). This module only
 * checks the answer ({@linkcode commandAnswer}), or runs a {@linkcode CommandRunner} callback and
 * checks its answer ({@linkcode parseWithCommand}).
 *
 * Accepted answers: the whole stdout as one JSON object, or — when the script printed other text
 * first — its last non-empty line as one. Values are the statuses of `types.ts`, in any case;
 * the client's short forms `PASS`, `FAIL`, `SKIP` are accepted too. Anything else (non-zero exit,
 * no JSON object, an unknown status) is a {@linkcode LogParseError}.
 *
 * @module
 */
import { isTestStatus, LogParseError, type ParsedTests, type TestStatus } from "./types.ts";

/** The outcome of running a command. */
export interface CommandResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs `command` (a shell command line) with `stdin` as its standard input. */
export type CommandRunner = (command: string, stdin: string) => Promise<CommandResult>;

const SHORT: Record<string, TestStatus> = { PASS: "PASSED", FAIL: "FAILED", SKIP: "SKIPPED" };

/** Runs a command parser on `log` and checks its answer. */
export async function parseWithCommand(
  command: string,
  log: string,
  run: CommandRunner,
): Promise<ParsedTests> {
  let result: CommandResult;
  try {
    result = await run(command, log);
  } catch (error) {
    throw new LogParseError(`Cannot run parser command "${command}": ${message(error)}`, {
      cause: error,
    });
  }
  return commandAnswer(command, result);
}

/** Checks the outcome of a command parser that has run: its exit code, then its stdout. */
export function commandAnswer(command: string, result: CommandResult): ParsedTests {
  if (result.code !== 0) {
    throw new LogParseError(
      `Parser command "${command}" exited with ${result.code}${tail(result.stderr)}`,
    );
  }
  return readAnswer(command, result.stdout);
}

/** Checks a command parser's stdout. Exported for tests and for callers that ran it themselves. */
export function readAnswer(command: string, stdout: string): ParsedTests {
  const value = jsonObject(stdout);
  if (value === undefined) {
    throw new LogParseError(
      `Parser command "${command}" did not print a JSON object${tail(stdout, "stdout")}`,
    );
  }
  const out: ParsedTests = new Map();
  for (const [name, raw] of Object.entries(value)) {
    const status = typeof raw === "string" ? toStatus(raw) : undefined;
    if (status === undefined) {
      throw new LogParseError(
        `Parser command "${command}" gave test "${name}" the status ${
          JSON.stringify(raw)
        }; expected one of PASSED, FAILED, SKIPPED, ERROR, XFAIL, XPASS`,
      );
    }
    out.set(name, status);
  }
  return out;
}

function toStatus(raw: string): TestStatus | undefined {
  const upper = raw.trim().toUpperCase();
  return isTestStatus(upper) ? upper : SHORT[upper];
}

function jsonObject(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  for (const candidate of [stdout.trim(), lines[lines.length - 1] ?? ""]) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        return value as Record<string, unknown>;
      }
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

function tail(text: string, label = "stderr"): string {
  const t = text.trim();
  if (t === "") return "";
  const last = t.length > 300 ? `…${t.slice(-300)}` : t;
  return ` (${label}: ${JSON.stringify(last)})`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
