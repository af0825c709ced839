/**
 * `go test -v` text output: `go/parse_log_go_test`.
 *
 * Task rows name Go tests `pkg/path/TestName` (the package import path with the module prefix
 * `github.com/owner/repo/` removed) and keep subtests (`TestX/case_one`). The
 * text output prints a package's `--- PASS: TestX (0.00s)` lines first and its result line
 * (`ok  \tgithub.com/o/r/pkg\t0.01s`, `FAIL\tgithub.com/o/r/pkg\t0.01s`) after them, so tests
 * are held until their package line and then named `<import path>/<test>`. The verdict strips the
 * module prefix (`canonical.ts`, option `goModule`). Tests with no package line after them (a log
 * cut short) keep their bare names.
 *
 * Each package result line also records the package itself: `ok` → PASSED, `FAIL` (including
 * `[build failed]` / `[setup failed]`) → FAILED. `--- SKIP` → SKIPPED.
 *
 * Unlike the old Velora parser, subtests are not collapsed into their parent and names are not
 * cut at the first non-word character.
 *
 * @module
 */
import { pySplitlines, stripAnsi } from "./_common.ts";
import type { ParsedTests, TestStatus } from "./types.ts";

const RESULT = /^\s*--- (PASS|FAIL|SKIP): (\S+)(?: \(\d+(?:\.\d+)?s\))?/;
const PACKAGE = /^(ok|FAIL|\?)\s+(\S+)(?:\s+(.*))?$/;
const PACKAGE_TAIL = /^(?:\d+(?:\.\d+)?s\b|\(cached\)|\[[^\]]+\])/;
const WORD: Record<string, TestStatus> = { PASS: "PASSED", FAIL: "FAILED", SKIP: "SKIPPED" };

/** Parses `go test -v` output. */
export function parse(log: string): ParsedTests {
  const out: ParsedTests = new Map();
  let pending: [string, TestStatus][] = [];
  for (const raw of pySplitlines(log)) {
    const line = stripAnsi(raw).replace(/\s+$/, "");
    const result = RESULT.exec(line);
    if (result) {
      pending.push([result[2]!, WORD[result[1]!]!]);
      continue;
    }
    const pkg = PACKAGE.exec(line);
    if (!pkg || !isImportPath(pkg[2]!) || !PACKAGE_TAIL.test(pkg[3] ?? "")) continue;
    const [, word, path] = pkg;
    if (word === "?") {
      pending = [];
      continue;
    }
    for (const [name, status] of pending) out.set(`${path}/${name}`, status);
    pending = [];
    out.set(path!, word === "ok" ? "PASSED" : "FAILED");
  }
  for (const [name, status] of pending) out.set(name, status);
  return out;
}

/** `github.com/o/r/pkg`, `example.com/m`, `./x`: what may follow `ok` / `FAIL` on a result line. */
function isImportPath(text: string): boolean {
  return /^[\w.~-]+(\/[\w.~+-]+)*$/.test(text) && !/^Test/.test(text);
}
