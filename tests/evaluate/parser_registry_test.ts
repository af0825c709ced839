import assert from "node:assert/strict";
import { MSB_FAMILIES, MSB_REPOS, msbParser } from "../../src/evaluate/parsers/mswebench/mod.ts";
import {
  lookupParser,
  PARSER_ALIASES,
  PARSERS,
  resolveParser,
} from "../../src/evaluate/parsers/mod.ts";
import { UnknownParserError } from "../../src/evaluate/parsers/types.ts";

/** Every `test_output_parser` value the task data is known to carry. */
const DATA_NAMES = [
  "python/parse_log_pytest_v3",
  "python/parse_log_pytest",
  "python/parse_log_unittest",
  "php/parse_log_phpunit",
  "ruby/parse_log_minitest",
  "parsers/ruby_minitest_parser.py",
  "javascript/parse_log_jest",
  "javascript/parse_log_mocha",
  "java/parse_log_junit",
  "go/parse_log_go_test",
  "go/parse_log_gotest_json",
  "rust/parse_log_cargo_test",
  "c/parse_log_meson",
  "cpp/parse_log_meson",
  "generic/parse_log_make",
];

function unknown(fn: () => unknown): UnknownParserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UnknownParserError) return error;
    throw error;
  }
  throw new Error("expected an UnknownParserError");
}

Deno.test("lookupParser() knows every parser name the task data uses", () => {
  for (const name of DATA_NAMES) assert.ok(lookupParser(name), name);
});

Deno.test("lookupParser() resolves aliases, case and bare function names to the same parser", () => {
  const minitest = lookupParser("ruby/parse_log_minitest");
  assert.equal(lookupParser("parsers/ruby_minitest_parser.py"), minitest);
  assert.equal(lookupParser("PHP/Parse_Log_PHPUnit").name, "php/parse_log_phpunit");
  assert.equal(lookupParser("parse_log_pytest_v3").name, "python/parse_log_pytest_v3");
  assert.equal(lookupParser("parse_log_meson").parse, lookupParser("cpp/parse_log_meson").parse);
  for (const [alias, name] of Object.entries(PARSER_ALIASES)) {
    assert.equal(lookupParser(alias), PARSERS.get(name), alias);
  }
});

Deno.test("lookupParser() rejects an unknown name with a suggestion, never falling back to pytest", () => {
  const error = unknown(() => lookupParser("python/parse_log_pytset"));
  assert.equal(error.parserName, "python/parse_log_pytset");
  assert.match(error.message, /^Unknown test output parser "python\/parse_log_pytset"/);
  assert.match(error.message, /did you mean "python\/parse_log_pytest"/);
  unknown(() => lookupParser("swelancer/parse_log_exitcode"));
  unknown(() => lookupParser(""));
});

Deno.test("resolveParser() turns cmd: values into command parsers", () => {
  assert.deepEqual(resolveParser("cmd:python3 parsers/x.py"), {
    kind: "command",
    command: "python3 parsers/x.py",
  });
  assert.equal(resolveParser(" python/parse_log_pytest ").kind, "builtin");
  unknown(() => resolveParser("cmd:   "));
});

Deno.test("every registered parser has a framework and returns a Map", () => {
  for (const [name, entry] of PARSERS) {
    assert.equal(entry.name, name);
    assert.ok(entry.parse("") instanceof Map, name);
  }
});

Deno.test("msbParser() covers every repository of the verified set and the sample rows", () => {
  assert.equal(Object.keys(MSB_REPOS).length, 39);
  for (const family of Object.values(MSB_REPOS)) assert.ok(MSB_FAMILIES[family], family);
  assert.equal(msbParser("grpc", "grpc-go", 3476).family, "go_test");
  assert.equal(msbParser("iamkun", "dayjs", 337).family, "jest_suites");
  assert.equal(msbParser("darkreader", "darkreader", 7241).family, "jest_darkreader");
  assert.equal(msbParser("jqlang", "jq", 2157).family, "automake");
  assert.equal(msbParser("CatchOrg", "catch2", 1422).family, "catch2");
});

Deno.test("msbParser() rejects a repository it has no parser for", () => {
  const error = unknown(() => msbParser("octo", "nothing", 1));
  assert.match(error.message, /^No Multi-SWE-bench log parser for "octo\/nothing"/);
});
