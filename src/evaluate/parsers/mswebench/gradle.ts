/**
 * Multi-SWE-bench Gradle families:
 *
 * - **J3** (`elastic/logstash`, `mockito/mockito`): **raw lines, not stripped**. Passes:
 *   `^> Task :(\S+)$`, `^> Task :(\S+) UP-TO-DATE$`, `^(.+ > .+) PASSED$` (not when already
 *   failed). Failures: `^> Task :(\S+) FAILED$`, `^(.+ > .+) FAILED$` (taken out of the passed
 *   set). Skips: `… SKIPPED$`, `… NO-SOURCE$`, `^(.+ > .+) SKIPPED$` (no removal: a name can end
 *   in two sets, an overlap error). Names are task paths or `Class > method`.
 * - **J4** (`googlecontainertools/jib`): the same patterns on stripped lines plus
 *   `FROM-CACHE` as a pass, with the G1 set rules (a pass leaves the skipped set; a failure leaves
 *   both others; a skip is kept only for a name that already failed).
 *
 * Both are checked against multi-swe-bench 1.1.2's `parse_log` by
 * tests/peer/mswebench_parsers_test.ts.
 *
 * @module
 */
import { pyRe, pySplitlines, pyStrip, TripleSets } from "../_common.ts";
import type { ParsedTests } from "../types.ts";

const PASSES = [
  pyRe("^> Task :(\\S+)$"),
  pyRe("^> Task :(\\S+) UP-TO-DATE$"),
  pyRe("^(.+ > .+) PASSED$"),
];
const FAILS = [pyRe("^> Task :(\\S+) FAILED$"), pyRe("^(.+ > .+) FAILED$")];
const SKIPS = [
  pyRe("^> Task :(\\S+) SKIPPED$"),
  pyRe("^> Task :(\\S+) NO-SOURCE$"),
  pyRe("^(.+ > .+) SKIPPED$"),
];
const JIB_PASSES = [...PASSES.slice(0, 2), pyRe("^> Task :(\\S+) FROM-CACHE$"), PASSES[2]!];

function first(res: RegExp[], line: string): string[] {
  const names: string[] = [];
  for (const re of res) {
    const m = re.exec(line);
    if (m) names.push(m[1]!);
  }
  return names;
}

/** J3: logstash / mockito. */
export function parseGradle(log: string): ParsedTests {
  const sets = new TripleSets();
  for (const line of pySplitlines(log)) {
    for (const name of first(PASSES, line)) if (!sets.failed.has(name)) sets.passed.add(name);
    for (const name of first(FAILS, line)) {
      sets.failed.add(name);
      sets.passed.delete(name);
    }
    for (const name of first(SKIPS, line)) sets.skipped.add(name);
  }
  return sets.toMap();
}

/** J4: jib. */
export function parseGradleJib(log: string): ParsedTests {
  const sets = new TripleSets();
  for (const raw of pySplitlines(log)) {
    const line = pyStrip(raw);
    for (const name of first(JIB_PASSES, line)) {
      if (sets.failed.has(name)) continue;
      sets.skipped.delete(name);
      sets.passed.add(name);
    }
    for (const name of first(FAILS, line)) {
      sets.passed.delete(name);
      sets.skipped.delete(name);
      sets.failed.add(name);
    }
    for (const name of first(SKIPS, line)) {
      if (sets.passed.has(name) || !sets.failed.has(name)) continue;
      sets.skipped.add(name);
    }
  }
  return sets.toMap();
}
