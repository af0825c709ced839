/**
 * Multi-SWE-bench family **JS3** (`sveltejs/svelte`, `vuejs/core`): each line stripped;
 * `^✓ (.+?)(?:\s*\d*\.?\d+\s*(?:ms|s|m))?$` passes and `^× (…)` fails. The name is the whole
 * reporter line (`file > describe > test`) minus a trailing duration, so a title that itself ends
 * in e.g. `5s` is cut the same way.
 *
 * Checked against multi-swe-bench 1.1.2's `parse_log` by tests/peer/mswebench_parsers_test.ts
 * (the reference HEAD `24f493f` has a svelte parser that also reads a mocha mode; 1.1.2 has not,
 * and neither has velora).
 *
 * @module
 */
import { parseLinesByPattern, pyRe } from "../_common.ts";
import type { ParsedTests } from "../types.ts";

const DURATION = "(?:\\s*\\d*\\.?\\d+\\s*(?:ms|s|m))?$";
const PASS = pyRe(`^✓ (.+?)${DURATION}`);
const FAIL = pyRe(`^× (.+?)${DURATION}`);

/** Parses vitest verbose output the way the svelte / vue repos do. */
export function parseVitest(log: string): ParsedTests {
  return parseLinesByPattern(log, { passed: PASS, failed: FAIL });
}
