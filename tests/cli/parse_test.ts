import assert from "node:assert/strict";
import { join } from "node:path";
import { velora } from "../support/velora.ts";

const MSB = new URL("../testdata/logs/mswebench/", import.meta.url).pathname;

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "velora-parse-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("velora parse --repo --json prints the sets the Multi-SWE-bench rule reads (real row)", async () => {
  const row = JSON.parse(await Deno.readTextFile(join(MSB, "iamkun__dayjs-337.row.jsonl")));
  const result = await velora([
    "parse",
    join(MSB, "iamkun__dayjs-337.fix-patch-run.log"),
    "--repo",
    "iamkun/dayjs",
    "--number",
    "337",
    "--json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const sets = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(sets), ["passed", "failed", "skipped"]);
  for (const key of ["passed", "failed", "skipped"] as const) {
    assert.deepEqual(sets[key].sort(), [...row.fix_patch_result[`${key}_tests`]].sort(), key);
  }
});

Deno.test("velora parse --parser reads only the test section of a test_output.txt, all statuses", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "test_output.txt");
    await Deno.writeTextFile(
      file,
      [
        "+ git apply model.patch",
        "PASSED tests/test_x.py::test_before_the_marker",
        ">>>>> Start Test Output",
        "PASSED tests/test_x.py::test_ok",
        "FAILED tests/test_x.py::test_bad - AssertionError",
        "SKIPPED [1] tests/test_x.py:9: no network",
        "ERROR tests/test_x.py::test_setup",
        "XFAIL tests/test_x.py::test_known",
        ">>>>> End Test Output",
        "VELORA_TEST_EXIT: 1",
        "",
      ].join("\n"),
    );
    const json = await velora(["parse", file, "--parser", "python/parse_log_pytest", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const sets = JSON.parse(json.stdout);
    assert.deepEqual(sets.passed, ["tests/test_x.py::test_ok"]);
    assert.deepEqual(sets.failed, ["tests/test_x.py::test_bad"]);
    assert.deepEqual(sets.error, ["tests/test_x.py::test_setup"]);
    assert.deepEqual(sets.xfail, ["tests/test_x.py::test_known"]);
    assert.equal("xpass" in sets, false);

    const text = await velora(["parse", file, "--parser", "pytest"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^parser: python\/parse_log_pytest \(asked for "pytest"\)\n/);
    assert.match(text.stdout, /read: the test section of the log/);
    assert.match(text.stdout, /\npassed \(1\):\n {2}tests\/test_x\.py::test_ok\n/);
    assert.doesNotMatch(text.stdout, /before_the_marker/);
  });
});

Deno.test("velora parse: unknown parser or repository, unreadable log, bad flags exit 2 with one line", async () => {
  await withDir(async (dir) => {
    const log = join(dir, "out.log");
    await Deno.writeTextFile(log, "PASS: tests/a\n");
    const cases: [string[], RegExp][] = [
      [["--parser", "pytst"], /Unknown test output parser "pytst" \(did you mean "pytest"\?\)/],
      [["--parser", "mswebench/jest_suits"], /did you mean "mswebench\/jest_suites"\?/],
      [
        ["--repo", "jqlang/jqq"],
        /No Multi-SWE-bench log parser for "jqlang\/jqq" \(did you mean "jqlang\/jq"\?\)/,
      ],
      [["--repo", "jq"], /--repo must be <org>\/<repo>/],
      [["--parser", "cmd:python3 parse.py"], /is a command parser/],
      [[], /exactly one of --parser <name> and --repo/],
      [["--parser", "pytest", "--repo", "jqlang/jq"], /exactly one of/],
      [["--parser", "pytest", "--number", "3"], /--number goes with --repo/],
    ];
    for (const [flags, message] of cases) {
      const result = await velora(["parse", log, ...flags]);
      assert.equal(result.code, 2, `${flags.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
    const missing = await velora(["parse", join(dir, "nope.log"), "--repo", "jqlang/jq"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^velora: Cannot read the log ".*nope\.log"/);
  });
});

Deno.test("velora parse: a log the parser rejects exits 1 with the parser's reason", async () => {
  await withDir(async (dir) => {
    const log = join(dir, "fix-patch-run.log");
    await Deno.writeTextFile(log, "PASS: tests/a\nFAIL: tests/a\n");
    const result = await velora(["parse", log, "--repo", "jqlang/jq"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /test "tests\/a" is both passed and failed/);
  });
});
