/**
 * The static registry of log parsers, keyed by the `test_output_parser` names task rows carry.
 * `deno compile` cannot load modules by computed name, so every parser is imported here.
 *
 * Name resolution ({@linkcode resolveParser}), in order:
 * 1. `cmd:<command line>` → a custom command parser (`command.ts`);
 * 2. the exact name, then the name ignoring case;
 * 3. the part after the last `/` (`parse_log_pytest_v3`), when it names exactly one parser.
 *
 * Anything else is an {@linkcode UnknownParserError}: never a silent pytest fallback (the old
 * evaluator's).
 *
 * The Multi-SWE-bench families are registered too, as `mswebench/<family>` (`mswebench/go_test`,
 * …), for rows that want one by name; Multi-SWE-bench rows themselves pick theirs by repository
 * (`mswebench/mod.ts`). Under a name there is no PR number, so `mswebench/zstd` is plain C1 and
 * `mswebench/express` the JSON reader.
 *
 * @module
 */
import { closestMatch } from "../../did_you_mean.ts";
import { parse as cargo } from "./cargo.ts";
import { parse as ctest } from "./ctest.ts";
import { parse as goTest } from "./go_test.ts";
import { parse as gotestJson } from "./gotest_json.ts";
import { parse as gtest } from "./gtest.ts";
import { parse as jest } from "./jest.ts";
import { parse as jestJson } from "./jest_json.ts";
import { parse as junit } from "./junit.ts";
import { parse as make } from "./make.ts";
import { parse as meson } from "./meson.ts";
import { parse as minitest } from "./minitest.ts";
import { parse as mocha } from "./mocha.ts";
import { parse as mochaJson } from "./mocha_json.ts";
import { MSB_FAMILIES } from "./mswebench/mod.ts";
import { parse as phpunit } from "./phpunit.ts";
import { parse as pytest } from "./pytest.ts";
import { parse as tap } from "./tap.ts";
import { type Framework, type LogParser, UnknownParserError } from "./types.ts";
import { parse as unittest } from "./unittest.ts";

/** A registered parser. */
export interface ParserEntry {
  /** The registry name it was found under (its primary name). */
  name: string;
  /** The naming family, which picks the verdict's canonicalisation. */
  framework: Framework;
  /** The parser. */
  parse: LogParser;
}

const entry = (name: string, framework: Framework, parse: LogParser): ParserEntry => ({
  name,
  framework,
  parse,
});

const PRIMARY: ParserEntry[] = [
  entry("python/parse_log_pytest_v3", "pytest", pytest),
  entry("python/parse_log_pytest", "pytest", pytest),
  entry("python/parse_log_unittest", "unittest", unittest),
  entry("php/parse_log_phpunit", "phpunit", phpunit),
  entry("ruby/parse_log_minitest", "minitest", minitest),
  entry("javascript/parse_log_jest", "jest", jest),
  entry("javascript/parse_log_jest_json", "jest", jestJson),
  entry("javascript/parse_log_mocha", "mocha", mocha),
  entry("javascript/parse_log_mocha_json", "plain", mochaJson),
  entry("java/parse_log_junit", "junit", junit),
  entry("go/parse_log_go_test", "go", goTest),
  entry("go/parse_log_gotest_json", "go", gotestJson),
  entry("rust/parse_log_cargo_test", "cargo", cargo),
  entry("c/parse_log_meson", "meson", meson),
  entry("cpp/parse_log_meson", "meson", meson),
  entry("generic/parse_log_make", "make", make),
  entry("cpp/parse_log_gtest", "gtest", gtest),
  entry("cpp/parse_log_ctest", "ctest", ctest),
  entry("generic/parse_log_tap", "tap", tap),
  ...Object.entries(MSB_FAMILIES).map(([name, family]) =>
    entry(`mswebench/${name}`, "plain", family.parserFor(0))
  ),
];

/** Other names for registered parsers: alias → primary name. */
export const PARSER_ALIASES: Readonly<Record<string, string>> = {
  "parsers/ruby_minitest_parser.py": "ruby/parse_log_minitest",
  "go/parse_log_gotest": "go/parse_log_go_test",
  "cpp/parse_log_google_test": "cpp/parse_log_gtest",
  "c/parse_log_gtest": "cpp/parse_log_gtest",
  "c/parse_log_ctest": "cpp/parse_log_ctest",
  "c/parse_log_make": "generic/parse_log_make",
  "cpp/parse_log_make": "generic/parse_log_make",
  "pytest": "python/parse_log_pytest",
};

/** Every parser, by primary name. */
export const PARSERS: ReadonlyMap<string, ParserEntry> = new Map(PRIMARY.map((e) => [e.name, e]));

const ALL_NAMES = new Map<string, ParserEntry>([
  ...PARSERS,
  ...Object.entries(PARSER_ALIASES).map(([alias, name]) => [alias, PARSERS.get(name)!] as const),
]);
const BY_LOWER = new Map([...ALL_NAMES].map(([name, e]) => [name.toLowerCase(), e]));
const BY_FUNCTION = (() => {
  const groups = new Map<string, Set<ParserEntry>>();
  for (const [name, e] of ALL_NAMES) {
    const fn = name.slice(name.lastIndexOf("/") + 1).toLowerCase();
    const group = groups.get(fn) ?? new Set<ParserEntry>();
    if (![...group].some((g) => g.parse === e.parse)) group.add(e);
    groups.set(fn, group);
  }
  return new Map([...groups].filter(([, g]) => g.size === 1).map(([fn, g]) => [fn, [...g][0]!]));
})();

/** What a `test_output_parser` value resolves to. */
export type ResolvedParser =
  | { kind: "builtin"; entry: ParserEntry }
  | { kind: "command"; command: string };

/** The prefix of a command parser: `cmd:python3 parsers/x.py`. */
export const COMMAND_PREFIX = "cmd:";

/** Resolves a `test_output_parser` value. Throws {@linkcode UnknownParserError}. */
export function resolveParser(name: string): ResolvedParser {
  const trimmed = name.trim();
  if (trimmed.startsWith(COMMAND_PREFIX)) {
    const command = trimmed.slice(COMMAND_PREFIX.length).trim();
    if (command === "") {
      throw new UnknownParserError(name, `Parser "${name}" has an empty command after "cmd:"`);
    }
    return { kind: "command", command };
  }
  return { kind: "builtin", entry: lookupParser(trimmed) };
}

/** The built-in parser registered under `name` (rules in the module doc). */
export function lookupParser(name: string): ParserEntry {
  const found = ALL_NAMES.get(name) ?? BY_LOWER.get(name.toLowerCase()) ??
    BY_FUNCTION.get(name.slice(name.lastIndexOf("/") + 1).toLowerCase());
  if (found) return found;
  throw new UnknownParserError(
    name,
    `Unknown test output parser "${name}"${suggestion(name)}; ` +
      `use a registered name or "cmd:<command>"`,
  );
}

/** Short forms (`jest`, `go_test`) → the first name they belong to, for suggestions only. */
const SHORT_FORMS = (() => {
  const shorts = new Map<string, string>();
  for (const full of ALL_NAMES.keys()) {
    const short = full.slice(full.lastIndexOf("/") + 1).replace(/^parse_log_/, "");
    if (!shorts.has(short)) shorts.set(short, full);
  }
  return shorts;
})();

/** ` (did you mean "…"?)` naming a registered name, also when `name` is close to a short form. */
function suggestion(name: string): string {
  const match = closestMatch(name, [...ALL_NAMES.keys(), ...SHORT_FORMS.keys()]);
  if (match === undefined) return "";
  return ` (did you mean "${ALL_NAMES.has(match) ? match : SHORT_FORMS.get(match)}"?)`;
}
