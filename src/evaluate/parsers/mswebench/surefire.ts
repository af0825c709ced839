/**
 * Multi-SWE-bench Maven Surefire families, one result per **test class**:
 *
 * - **J1** (`apache/dubbo`, `fasterxml/jackson-core`, `-databind`, `-dataformat-xml`): ANSI codes
 *   matching `\x1B\[[0-?9;]*[mK]` are removed, then each line is searched for
 *   `Tests run: a, Failures: b, Errors: c, Skipped: d, Time elapsed: [\d.]+ .+? in (.+)`; the
 *   class passes if a > 0, b = c = 0 and d ≠ a; else fails if b > 0 or c > 0; else is skipped if
 *   d = a (a = 0 included). `\d` is Python's: any Unicode decimal digit, read by `int()`.
 * - **J1'** (`alibaba/fastjson2`): the same without the ANSI removal.
 *
 * Checked against multi-swe-bench 1.1.2's `parse_log` by tests/peer/mswebench_parsers_test.ts.
 *
 * @module
 */
import { pyInt, pyRe, pySplitlines, TripleSets } from "../_common.ts";
import type { ParsedTests } from "../types.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1B\[[0-?9;]*[mK]/g;
const LINE = pyRe(
  String.raw`Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+), ` +
    String.raw`Time elapsed: [\d.]+ .+? in (.+)`,
);

/** Classifies one `Tests run:` summary the way the reference does. */
export function classifySurefire(
  sets: TripleSets,
  name: string,
  run: bigint,
  failures: bigint,
  errors: bigint,
  skipped: bigint,
): void {
  if (run > 0n && failures === 0n && errors === 0n && skipped !== run) sets.passed.add(name);
  else if (failures > 0n || errors > 0n) sets.failed.add(name);
  else if (skipped === run) sets.skipped.add(name);
}

function run(log: string): ParsedTests {
  const sets = new TripleSets();
  for (const line of pySplitlines(log)) {
    const m = LINE.exec(line);
    if (m) classifySurefire(sets, m[5]!, pyInt(m[1]!), pyInt(m[2]!), pyInt(m[3]!), pyInt(m[4]!));
  }
  return sets.toMap();
}

/** J1: ANSI removed first. */
export function parseSurefire(log: string): ParsedTests {
  return run(log.replace(ANSI, ""));
}

/** J1': no ANSI removal. */
export function parseSurefireRaw(log: string): ParsedTests {
  return run(log);
}
