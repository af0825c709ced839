/**
 * Multi-SWE-bench `go test -v` families:
 *
 * - **G1** (`cli/cli`): each line stripped; `--- PASS: (\S+)` passes the name unless it already
 *   failed (and takes it out of the skipped set); `--- FAIL: (\S+)` and `FAIL:?\s?(.+?)\s` (which
 *   turns `FAIL\tpkg\t0.1s` into the package path) fail it and take it out of the other sets;
 *   `--- SKIP: (\S+)` is recorded only for a name that already failed (a reference bug that ends
 *   in an overlap error).
 * - **G2** (`zeromicro/go-zero`, reference `grpc/grpc-go`): as G1, but the *stored* name drops its
 *   last `/segment` (`TestA/sub` → `TestA`, `pkg/a/b` → `pkg/a`) while the membership checks use
 *   the full name, so `--- FAIL: TestA` then `--- PASS: TestA/sub` puts `TestA` in two sets.
 *
 * A name in two sets raises {@linkcode LogParseError} (the reference's TestResult check).
 *
 * @module
 */
import { pyRe, pySplitlines, pyStrip, TripleSets } from "../_common.ts";
import type { ParsedTests } from "../types.ts";

const PASS = pyRe("^--- PASS: (\\S+)");
const FAILS = [pyRe("^--- FAIL: (\\S+)"), pyRe("^FAIL:?\\s?(.+?)\\s")];
const SKIP = pyRe("^--- SKIP: (\\S+)");

function run(log: string, stored: (name: string) => string): ParsedTests {
  const sets = new TripleSets();
  for (const raw of pySplitlines(log)) {
    const line = pyStrip(raw);
    const pass = PASS.exec(line);
    if (pass) {
      const name = pass[1]!;
      if (!sets.failed.has(name)) {
        sets.skipped.delete(name);
        sets.passed.add(stored(name));
      }
    }
    for (const re of FAILS) {
      const fail = re.exec(line);
      if (!fail) continue;
      const name = fail[1]!;
      sets.passed.delete(name);
      sets.skipped.delete(name);
      sets.failed.add(stored(name));
    }
    const skip = SKIP.exec(line);
    if (skip) {
      const name = skip[1]!;
      if (!sets.passed.has(name) && sets.failed.has(name)) sets.skipped.add(stored(name));
    }
  }
  return sets.toMap();
}

/** G1: names as printed. */
export function parseGoTest(log: string): ParsedTests {
  return run(log, (name) => name);
}

/** G2: stored names lose their last `/segment`. */
export function parseGoTestParent(log: string): ParsedTests {
  return run(log, (name) => {
    const slash = name.lastIndexOf("/");
    return slash === -1 ? name : name.slice(0, slash);
  });
}
