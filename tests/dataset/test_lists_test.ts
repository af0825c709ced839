import assert from "node:assert/strict";
import {
  normalizeTestList,
  parsePythonStringList,
  TestListError,
} from "../../src/dataset/test_lists.ts";
import { readJson } from "../evaluate/_helpers.ts";

Deno.test("normalizeTestList() accepts a real list", () => {
  assert.deepEqual(normalizeTestList(["t.py::a", "t.py::b[1-2]"]), ["t.py::a", "t.py::b[1-2]"]);
});

Deno.test("normalizeTestList() accepts a JSON-encoded list, as workflow rows store it", () => {
  const value = '["SnippetTest::LaxMode#test_valid_inline_snippet", "AssignTest#test_assign"]';
  assert.deepEqual(normalizeTestList(value), [
    "SnippetTest::LaxMode#test_valid_inline_snippet",
    "AssignTest#test_assign",
  ]);
});

Deno.test("normalizeTestList() accepts a Python-literal list, as legacy rows store it", () => {
  const value = "['tests/t.py::test_x[a-b]', \"it's\", 'Ns\\\\FooTest::testBar', u'caf\\xe9',]";
  assert.deepEqual(normalizeTestList(value), [
    "tests/t.py::test_x[a-b]",
    "it's",
    "Ns\\FooTest::testBar",
    "café",
  ]);
});

Deno.test("normalizeTestList() keeps the literal quotes of client JUnit names", () => {
  assert.deepEqual(normalizeTestList('["\\"pkg.Cls.testA\\""]'), ['"pkg.Cls.testA"']);
});

Deno.test("normalizeTestList() reads empty values as no tests and drops duplicates", () => {
  for (const empty of [undefined, null, "", "  ", "[]", "()", []]) {
    assert.deepEqual(normalizeTestList(empty), [], JSON.stringify(empty));
  }
  assert.deepEqual(normalizeTestList(["a", "b", "a"]), ["a", "b"]);
});

Deno.test("normalizeTestList() rejects what is not a list of names, naming the field", () => {
  assert.throws(() => normalizeTestList(42, "PASS_TO_PASS"), (e: unknown) => {
    assert.ok(e instanceof TestListError);
    assert.equal(
      e.message,
      "Cannot read PASS_TO_PASS: expected a list of test names, got a number",
    );
    return true;
  });
  assert.throws(() => normalizeTestList("test_a"), /expected a JSON or Python list of test names/);
  assert.throws(() => normalizeTestList(["a", 1]), /item 1 is a number, not a string/);
  assert.throws(() => normalizeTestList("['a', b]"), /expected a string literal at offset/);
  assert.throws(() => normalizeTestList("['a'"), /expected "," or "]"/);
});

Deno.test("parsePythonStringList() handles triple quotes, raw strings, escapes and concatenation", () => {
  assert.deepEqual(
    parsePythonStringList(`("""a"b""", r'c\\d', 'e' "f", '\\t\\x41\\u00e9\\101')`),
    ['a"b', "c\\d", "ef", "\tAéA"],
  );
});

Deno.test("normalizeTestList() reads the real Velora sample row's lists", () => {
  // The Shopify/liquid row from ../shared/samples stores both lists as JSON-encoded strings.
  const row = readJson<Record<string, unknown>>("velora/liquid_row_lists.json");
  const f2p = normalizeTestList(row.FAIL_TO_PASS, "FAIL_TO_PASS");
  const p2p = normalizeTestList(row.PASS_TO_PASS, "PASS_TO_PASS");
  assert.ok(f2p.includes("SnippetTest::LaxMode#test_valid_inline_snippet"));
  assert.ok(p2p.includes("AssignTest#test_assign_with_filter"));
  assert.equal(f2p.filter((n) => p2p.includes(n)).length, 0);
});
