/**
 * `velora parse <log-file> (--parser <name> | --repo <org>/<repo> [--number N]) [--json]`: the
 * passed, failed and skipped tests the evaluate phase reads from a test log, to debug "why is my
 * test not counted". The work is `readTestLog` (`src/evaluate/parsers/read_log.ts`).
 *
 * Exit 2 for an unknown parser or repository (with a did-you-mean), an unreadable log or a bad
 * flag combination; exit 1 when the parser rejects the log (evaluate: an `error_eval` instance).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { type LogSets, readTestLog } from "../evaluate/parsers/read_log.ts";
import { UnknownParserError } from "../evaluate/parsers/types.ts";

/** The flags of `velora parse`. */
export interface ParseFlags {
  parser?: string;
  repo?: string;
  number?: number;
  json?: boolean;
}

/** Implements `velora parse`. */
export async function parseCommand(logFile: string, flags: ParseFlags): Promise<void> {
  if ((flags.parser === undefined) === (flags.repo === undefined)) {
    throw new UsageError(
      "velora parse needs exactly one of --parser <name> and --repo <org>/<repo>",
    );
  }
  if (flags.number !== undefined && flags.repo === undefined) {
    throw new UsageError("--number goes with --repo (a Multi-SWE-bench PR number)");
  }
  let log: string;
  try {
    log = new TextDecoder().decode(await Deno.readFile(logFile));
  } catch (error) {
    throw new UsageError(`Cannot read the log "${logFile}": ${(error as Error).message}`);
  }
  let reading;
  try {
    reading = readTestLog(
      log,
      flags.repo !== undefined
        ? { repo: flags.repo, ...(flags.number !== undefined ? { number: flags.number } : {}) }
        : { parser: flags.parser! },
    );
  } catch (error) {
    if (error instanceof UnknownParserError) throw new UsageError(error.message);
    throw error;
  }
  if (flags.json) {
    console.log(JSON.stringify(reading.sets));
    return;
  }
  console.log(`parser: ${reading.parser}`);
  console.log(
    reading.section
      ? "read: the test section of the log (between >>>>> Start Test Output and >>>>> End Test Output)"
      : "read: the whole log",
  );
  for (const [key, names] of Object.entries(reading.sets) as [keyof LogSets, string[]][]) {
    console.log(`${key} (${names.length})${names.length ? ":" : ""}`);
    for (const name of names) console.log(`  ${printable(name)}`);
  }
}

/** A name as is, or JSON-quoted when it holds control characters (newlines, escapes). */
function printable(name: string): string {
  // deno-lint-ignore no-control-regex
  return /[\x00-\x1f\x7f]/.test(name) ? JSON.stringify(name) : name;
}
