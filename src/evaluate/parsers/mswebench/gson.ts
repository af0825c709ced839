/**
 * Multi-SWE-bench family **J2** (`google/gson`): two patterns searched over the *whole* log,
 * starting at offset 8 (the reference passes `re.MULTILINE`, whose value is 8, as `findall`'s
 * position argument; kept):
 *
 * - `Running X` followed by any lines up to the first
 *   `Tests run: a, Failures: b, Errors: c, Skipped: d, Time elapsed: n sec` — classified like J1;
 * - `Running X\nTests run: …, Time elapsed: n sec +<<< FAILURE!` — X fails.
 *
 * Checked against multi-swe-bench 1.1.2's `parse_log` by tests/peer/mswebench_parsers_test.ts.
 *
 * @module
 */
import { pyInt, pyRe, TripleSets } from "../_common.ts";
import type { ParsedTests } from "../types.ts";
import { classifySurefire } from "./surefire.ts";

// The reference's two patterns, verbatim (Python meaning: `.` stops at `\n`, `\s` crosses it).
const SUMMARY = pyRe(
  String.raw`Running\s+(.+?)\s*\n(?:(?!Tests run:).*\n)*Tests run:\s*(\d+),\s*Failures:\s*(\d+),` +
    String.raw`\s*Errors:\s*(\d+),\s*Skipped:\s*(\d+),\s*Time elapsed:\s*[\d.]+\s*sec`,
  "g",
);
const FAILURE = pyRe(
  String.raw`Running (.+?)\nTests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+), ` +
    String.raw`Time elapsed: [\d\.]+ sec +<<< FAILURE!`,
  "g",
);

/** Parses a gson Maven log. */
export function parseGson(log: string): ParsedTests {
  const sets = new TripleSets();
  // `findall(log, 8)`: Python counts code points, JavaScript UTF-16 units.
  const from = [...log.slice(0, 16)].slice(0, 8).join("").length;
  for (const m of matchesFrom(SUMMARY, log, from)) {
    classifySurefire(sets, m[1]!, pyInt(m[2]!), pyInt(m[3]!), pyInt(m[4]!), pyInt(m[5]!));
  }
  for (const m of matchesFrom(FAILURE, log, from)) sets.failed.add(m[1]!);
  return sets.toMap();
}

function* matchesFrom(re: RegExp, text: string, start: number): Generator<RegExpExecArray> {
  const global = new RegExp(re.source, re.flags);
  global.lastIndex = start;
  let m: RegExpExecArray | null;
  while ((m = global.exec(text)) !== null) {
    yield m;
    if (m[0] === "") global.lastIndex++;
  }
}
