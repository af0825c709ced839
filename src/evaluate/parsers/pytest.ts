/**
 * pytest: `python/parse_log_pytest` and `python/parse_log_pytest_v3`.
 *
 * Follows SWE-bench's `parse_log_pytest` and the client's `parse_log_pytest_v3` (Repomate), with
 * the weak spots of the latter fixed:
 *
 * - **Status first** (`pytest -rA` short summary): `PASSED tests/t.py::test_y[1-2]`,
 *   `FAILED tests/t.py::test_z - AssertionError: ...`, `ERROR tests/t.py`, `XFAIL ... - reason`,
 *   `XPASS ...`. Also with an xdist prefix: `[gw0] [ 50%] PASSED tests/t.py::test_y`.
 * - **Status last** (`pytest -v`): `tests/t.py::test_z PASSED [ 50%]`, `... SKIPPED (why) [ 75%]`.
 *   The name must be a node id (contain `::`), so lines like `Build FAILED` are not tests.
 * - ANSI sequences are removed whole (`\x1b[1;31m` too) and TABs become spaces rather than being
 *   deleted, so tokens never fuse.
 * - Parametrized ids keep their spaces: the name runs to the `]` that closes its `[`.
 * - `SKIPPED [1] tests/t.py:12: reason` (a -rA skip summary keyed by location, not by test) is
 *   not a test name and is ignored.
 *
 * Later lines overwrite earlier ones for the same name, as in the references.
 *
 * @module
 */
import { stripAnsi } from "./_common.ts";
import { isTestStatus, type ParsedTests } from "./types.ts";

const STATUS_FIRST =
  /^(?:\[gw\d+\]\s+)?(?:\[\s*\d+%\]\s+)?(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)\s+(.+)$/;
const STATUS_LAST =
  /^(.+?::.+?)\s+(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)(?:\s+\(.*\))?(?:\s+\[\s*\d+%\])?$/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Parses a pytest log (`-rA` summary and/or `-v` lines). */
export function parse(log: string): ParsedTests {
  const out: ParsedTests = new Map();
  for (const raw of log.split("\n")) {
    const line = stripAnsi(raw).replaceAll("\t", " ").replace(CONTROL, "").trim();
    if (line === "") continue;
    const first = STATUS_FIRST.exec(line);
    if (first) {
      const status = first[1]!;
      const name = nodeId(first[2]!);
      if (isNodeId(name) && isTestStatus(status)) out.set(name, status);
      continue;
    }
    const last = STATUS_LAST.exec(line);
    if (last) {
      const name = last[1]!.trim();
      const status = last[2]!;
      if (!/\s/.test(bracketless(name)) && isTestStatus(status)) out.set(name, status);
    }
  }
  return out;
}

/** Rejects what follows a status word but is no test: `[1]` (skip summary), `(failures=2)`. */
function isNodeId(name: string): boolean {
  return name !== "" && !/^\[\d+\]$/.test(name) && !name.startsWith("(");
}

/** The node id at the start of `rest`: up to the first space outside `[...]`. */
function nodeId(rest: string): string {
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === "[") depth++;
    else if (c === "]" && depth > 0) depth--;
    else if (c === " " && depth === 0) return rest.slice(0, i);
  }
  return depth === 0 ? rest : rest.split(" ")[0]!;
}

/** The name with bracketed parameter ids removed (they may contain spaces). */
function bracketless(name: string): string {
  return name.replace(/\[[^\]]*\]/g, "");
}
