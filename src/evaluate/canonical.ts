/**
 * Test-name canonicalisation: the only transformation the verdict applies before comparing an
 * expected name with a parsed one. Matching is then **exact** on the canonical forms — no
 * substring or prefix matching (the old evaluator's): `test_a` never matches `test_ab`, and
 * `t.py::test_x` never matches `t.py::test_x[1-2]`.
 *
 * Every framework:
 * 1. ANSI escape sequences are removed;
 * 2. Unicode is normalised to NFC; typographic quotes (‘ ’ ‚ ‛ “ ” „ ‟) become `'` and `"`;
 * 3. leading/trailing whitespace is removed and inner runs of whitespace (tabs, NBSP, newlines)
 *    become one space;
 * 4. one pair of quotes around the whole name is removed (`"pkg.Class.test"` → `pkg.Class.test`,
 *    the client's JUnit keys).
 *
 * Then, per framework (explicit aliases only):
 * - `unittest`: `test_m (pkg.mod.Class)` and `test_m (pkg.mod.Class.test_m)` →
 *   `pkg.mod.Class.test_m`
 *   (Velora's and Python 3.11's forms onto the client's dotted form);
 * - `junit`: `pkg.Class#method`, `method(pkg.Class)`, `pkg.Class > method()` and
 *   `pkg.Class.method()` → `pkg.Class.method`;
 * - `go`: the module prefix (option `goModule`, e.g. `github.com/owner/repo`) and the `/` after it
 *   are removed, so `github.com/o/r/pkg/TestX` and `pkg/TestX` are the same test;
 * - `phpunit`: a leading `\` and a ` with data set …` suffix are removed;
 * - `minitest`: `test_x (Foo::Bar)` → `Foo::Bar#test_x`;
 * - `jest`: jest's ` › ` separator (failure headers) becomes a space (its `fullName` form).
 *
 * @module
 */
import { stripAnsi } from "./parsers/_common.ts";
import type { Framework } from "./parsers/types.ts";

/** Options of the canonicalisation. */
export interface CanonicalOptions {
  /** Go module path whose prefix is removed from Go test names (`github.com/owner/repo`). */
  goModule?: string;
}

/** The canonical form of a test name for `framework`. */
export function canonicalName(
  name: string,
  framework: Framework,
  options: CanonicalOptions = {},
): string {
  let n = stripAnsi(name).normalize("NFC")
    .replace(/[\u2018\u2019\u201a\u201b]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f]/g, '"')
    .replace(/\s+/g, " ")
    .trim();
  if (n.length >= 2 && (n[0] === '"' || n[0] === "'") && n[n.length - 1] === n[0]) {
    n = n.slice(1, -1).trim();
  }
  switch (framework) {
    case "unittest":
      return unittestName(n);
    case "junit":
      return junitName(n);
    case "go":
      return goName(n, options.goModule);
    case "phpunit":
      return n.replace(/^\\/, "").replace(/ with data set (?:#\d+|"[^"]*").*$/, "");
    case "minitest": {
      const m = /^(\w+) \(([\w:]+)\)$/.exec(n);
      return m ? `${m[2]}#${m[1]}` : n;
    }
    case "jest":
      return n.replaceAll(" › ", " ");
    default:
      return n;
  }
}

function unittestName(n: string): string {
  const m = /^(\w+) \(([\w.]+)\)$/.exec(n);
  if (!m) return n;
  const [, method, inParens] = m as unknown as [string, string, string];
  return inParens.endsWith(`.${method}`) ? inParens : `${inParens}.${method}`;
}

function junitName(n: string): string {
  let m = /^(\w+)\(([\w.$]+)\)$/.exec(n);
  if (m) return `${m[2]}.${m[1]}`;
  m = /^([\w.$]+) > (\w+)(?:\(\))?$/.exec(n);
  if (m) return `${m[1]}.${m[2]}`;
  m = /^([\w.$]+)#(\w+)(?:\(\))?$/.exec(n);
  if (m) return `${m[1]}.${m[2]}`;
  return n.replace(/^([\w.$]+)\(\)$/, "$1");
}

function goName(n: string, module: string | undefined): string {
  if (!module) return n;
  const prefix = module.replace(/\/+$/, "") + "/";
  return n.startsWith(prefix) ? n.slice(prefix.length) : n;
}

/** The Go module velora assumes for a GitHub `owner/repo` when the row names none. */
export function defaultGoModule(repo: string | undefined): string | undefined {
  return repo && /^[\w.-]+\/[\w.-]+$/.test(repo) ? `github.com/${repo}` : undefined;
}
