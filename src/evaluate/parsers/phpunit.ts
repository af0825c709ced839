/**
 * PHPUnit: `php/parse_log_phpunit`. Names are `Vendor\Pkg\FooTest::testMethod`, the form the
 * task workflow writes.
 *
 * Lines understood:
 * - **testdox** (`--testdox`): a class header `Some Name (Vendor\Pkg\FooTest)` followed by
 *   ` ✔ Does thing` (passed), ` ✘ Does thing` (failed), ` ↩ …` / ` ∅ …` (skipped, incomplete),
 *   ` ☢ …` (risky, it ran and passed), and the text forms ` [x] …` / ` [ ] …`. The method name is
 *   rebuilt as Velora's evaluator does: `test` + the words capitalised and joined
 *   (`Does thing` → `testDoesThing`). Custom `@testdox` texts cannot be mapped back.
 * - **PHPUnit 10 `--debug`**: `Test Passed (Ns\FooTest::testX)`, `Test Failed (…)`,
 *   `Test Errored (…)`, `Test Skipped (…)`, `Test Marked Incomplete (…)`.
 * - **PHPUnit ≤ 9 `--debug`**: `Test 'Ns\FooTest::testX' ended` (counts as passed unless a
 *   summary section below says otherwise).
 * - **Summary sections** (every output mode): after `There was 1 failure:` /
 *   `There were 2 errors:` / `… skipped test(s):` / `… incomplete test(s):`, entries
 *   `1) Ns\FooTest::testX` are FAILED / ERROR / SKIPPED. These override the progress lines.
 *
 * A data-set suffix (` with data set #0 (…)`, ` with data set "name"`) is removed, as Velora's
 * evaluator does; when data sets of one method disagree, the worst status wins.
 *
 * Not understood: the default progress dots (they carry no names; only the summary sections name
 * tests) and TeamCity output. The old evaluator's "any line with `::test` and the word ok" rule
 * is deliberately gone (it read `token` as a pass).
 *
 * @module
 */
import { stripAnsi } from "./_common.ts";
import { type ParsedTests, setWorst, type TestStatus } from "./types.ts";

const CLASS_HEADER = /^.*\(([\w\\]*\\[\w\\]*|\w+Test)\)$/;
const TESTDOX = /^(✔|✘|↩|∅|☢|\[x\]|\[ \])\s+(.+)$/;
const DEBUG10 =
  /^Test (Passed|Failed|Errored|Skipped|Marked Incomplete|Considered Risky) \(\\?([\w\\]+::\w+)/;
const DEBUG9 = /^Test '\\?([\w\\]+::\w+)[^']*' ended$/;
const SECTION =
  /^There (?:was|were) \d+ (failure|error|skipped test|incomplete test|risky test|warning)/;
const ENTRY = /^\d+\) \\?([\w\\]+::\w+)/;
const DATA_SET = / with data set (?:#\d+|"[^"]*").*$/;

const GLYPH: Record<string, TestStatus> = {
  "✔": "PASSED",
  "☢": "PASSED",
  "[x]": "PASSED",
  "✘": "FAILED",
  "[ ]": "FAILED",
  "↩": "SKIPPED",
  "∅": "SKIPPED",
};

const DEBUG_STATUS: Record<string, TestStatus> = {
  "Passed": "PASSED",
  "Considered Risky": "PASSED",
  "Failed": "FAILED",
  "Errored": "ERROR",
  "Skipped": "SKIPPED",
  "Marked Incomplete": "SKIPPED",
};

const SECTION_STATUS: Record<string, TestStatus | undefined> = {
  "failure": "FAILED",
  "error": "ERROR",
  "skipped test": "SKIPPED",
  "incomplete test": "SKIPPED",
  "risky test": undefined,
  "warning": undefined,
};

/** Parses PHPUnit output. */
export function parse(log: string): ParsedTests {
  const progress: ParsedTests = new Map();
  const summary: ParsedTests = new Map();
  let currentClass: string | undefined;
  let section: TestStatus | undefined | null = null;
  for (const raw of log.split("\n")) {
    const line = stripAnsi(raw).trim();
    if (line === "") continue;
    const sec = SECTION.exec(line);
    if (sec) {
      section = SECTION_STATUS[sec[1]!];
      continue;
    }
    if (/^(FAILURES!|OK \(|OK, but|Tests: \d+|ERRORS!)/.test(line)) section = null;
    if (section !== null) {
      const entry = ENTRY.exec(line);
      if (entry && section !== undefined) setWorst(summary, entry[1]!, section);
      if (entry) continue;
    }
    const d10 = DEBUG10.exec(line);
    if (d10) {
      setWorst(progress, d10[2]!, DEBUG_STATUS[d10[1]!]!);
      continue;
    }
    const d9 = DEBUG9.exec(line);
    if (d9) {
      setWorst(progress, d9[1]!, "PASSED");
      continue;
    }
    const dox = TESTDOX.exec(line);
    if (dox && currentClass !== undefined) {
      const method = methodName(dox[2]!.replace(DATA_SET, ""));
      if (method) setWorst(progress, `${currentClass}::${method}`, GLYPH[dox[1]!]!);
      continue;
    }
    const header = CLASS_HEADER.exec(line);
    if (header && !dox) currentClass = header[1]!.replace(/^\\/, "");
  }
  for (const [name, status] of summary) progress.set(name, status);
  return progress;
}

/** `Does thing 2` → `testDoesThing2`. */
function methodName(text: string): string {
  const words = text.replace(/\s+\(\d+(?:\.\d+)? ?m?s\)$/, "").trim().split(/\s+/);
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
  return /^\w+$/.test(joined) ? `test${joined}` : "";
}
