/**
 * The log corpus of the Multi-SWE-bench parser peer test (`mswebench_parsers_test.ts`): fix-stage
 * logs for every parser family velora ports, shaped like the real tools' output, with the edge
 * cases the reference's Python semantics decide (ANSI colour, CRLF, panics, subtests, duplicate
 * names, truncation, Unicode names and digits, the mui marker, express `Writing` lines with `\r`,
 * non-string mocha titles, parse errors).
 *
 * @module
 */

/** One log and the row it belongs to (the parser is picked by `repo`, and `number` for some). */
export interface LogCase {
  /** `<family label>/<what it checks>`. */
  id: string;
  /** `org/repo`. */
  repo: string;
  /** The PR number (zstd and express parse by it). @default 1 */
  number?: number;
  log: string;
}

const CRLF = (text: string) => text.replaceAll("\n", "\r\n");
const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../testdata/logs/mswebench/${name}`, import.meta.url));
const ESC = "\x1b";

// --- Go (G1 cli/cli, G2 zeromicro/go-zero, grpc/grpc-go) -------------------------------------

const GO_BASIC = `=== RUN   TestNewCmdView
=== RUN   TestNewCmdView/web_mode
=== RUN   TestNewCmdView/json_fields
--- PASS: TestNewCmdView (0.00s)
    --- PASS: TestNewCmdView/web_mode (0.00s)
    --- PASS: TestNewCmdView/json_fields (0.00s)
=== RUN   TestViewRun
    view_test.go:88: unexpected output
--- FAIL: TestViewRun (0.01s)
=== RUN   TestSkipMe
    skip_test.go:10: needs network
--- SKIP: TestSkipMe (0.00s)
FAIL
FAIL\tgithub.com/cli/cli/v2/pkg/cmd/pr/view\t0.123s
ok  \tgithub.com/cli/cli/v2/pkg/cmd/pr/list\t0.045s
?   \tgithub.com/cli/cli/v2/pkg/cmd/pr/shared\t[no test files]
`;

const GO_PANIC = `=== RUN   TestParse
--- PASS: TestParse (0.00s)
=== RUN   TestCrash
--- FAIL: TestCrash (0.00s)
panic: runtime error: invalid memory address or nil pointer dereference [recovered]
\tpanic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x5a3f2e]

goroutine 7 [running]:
testing.tRunner.func1.2({0x6b8e40, 0x9a5e10})
\t/usr/local/go/src/testing/testing.go:1545 +0x238
FAIL\tgithub.com/cli/cli/v2/internal/config\t0.017s
FAIL
`;

const GO_SUBTESTS_FAIL = `=== RUN   TestPRCreate
=== RUN   TestPRCreate/no_args
=== RUN   TestPRCreate/with_body
    create_test.go:211: body mismatch
--- FAIL: TestPRCreate (0.02s)
    --- PASS: TestPRCreate/no_args (0.00s)
    --- FAIL: TestPRCreate/with_body (0.01s)
=== RUN   TestPRCreate_web/sub/deeper
--- PASS: TestPRCreate_web/sub/deeper (0.00s)
FAIL\tgithub.com/cli/cli/v2/pkg/cmd/pr/create\t0.311s
`;

const GO_DUPLICATES = `=== RUN   TestMain
--- PASS: TestMain (0.00s)
ok  \tgithub.com/cli/cli/v2/api\t0.010s
=== RUN   TestMain
--- PASS: TestMain (0.00s)
=== RUN   TestFlaky
--- PASS: TestFlaky (0.00s)
=== RUN   TestFlaky
--- FAIL: TestFlaky (0.00s)
=== RUN   TestFlaky
--- PASS: TestFlaky (0.00s)
FAIL\tgithub.com/cli/cli/v2/git\t0.020s
`;

const GO_UNICODE = `=== RUN   TestLocale
=== RUN   TestLocale/한국어_제목
=== RUN   TestLocale/кириллица
--- PASS: TestLocale (0.00s)
    --- PASS: TestLocale/한국어_제목 (0.00s)
    --- PASS: TestLocale/кириллица (0.00s)
=== RUN   TestÜmlaut
--- FAIL: TestÜmlaut (٠.٠١s)
FAIL\tgithub.com/cli/cli/v2/pkg/text\t0.004s
`;

// --- Rust (R) -----------------------------------------------------------------------------------

const CARGO_BASIC = `   Compiling bytes v1.4.0 (/home/bytes)
    Finished test [unoptimized + debuginfo] target(s) in 4.51s
     Running unittests src/lib.rs (target/debug/deps/bytes-1a2b3c)

running 4 tests
test buf::tests::advance ... ok
test buf::tests::chain ... FAILED
test bytes::tests::slice ... ignored
test bytes::tests::split_off ... ok

failures:

---- buf::tests::chain stdout ----
thread 'buf::tests::chain' panicked at 'assertion failed: left == right', src/buf/chain.rs:12:5
note: run with \`RUST_BACKTRACE=1\` environment variable to display a backtrace

failures:
    buf::tests::chain

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

   Doc-tests bytes

running 2 tests
test src/buf/mod.rs - buf::Buf::advance (line 42) ... ok
test src/bytes.rs - bytes::Bytes::slice (line 120) ... FAILED
`;

const CARGO_TWO_BINARIES = `     Running tests/test_buf.rs (target/debug/deps/test_buf-11)

running 2 tests
test fresh_buffer ... ok
test shared::advance ... ok

test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out

     Running tests/test_bytes.rs (target/debug/deps/test_bytes-22)

running 2 tests
test fresh_buffer ... ok
test shared::split ... ok
`;

const CARGO_OVERLAP = `running 1 test
test it_works ... ok
     Running tests/other.rs
running 1 test
test it_works ... FAILED
`;

const CARGO_QUIRKS = `running 5 tests
test dots_are_any xyz ok
test quirk ...ok
test tests::日本語_テスト ... ok
test tests::emoji_🦀 ... ignored
test with_time ... ok <0.001s>
test truncat`;

const CARGO_ANSI = `running 2 tests
test coloured ... ${ESC}[32mok${ESC}[0m
${ESC}[1mtest bold ... ok${ESC}[0m
test plain ... ok
`;

// --- Java --------------------------------------------------------------------------------------

const SUREFIRE_BASIC = `[INFO] -------------------------------------------------------
[INFO]  T E S T S
[INFO] -------------------------------------------------------
[INFO] Running com.fasterxml.jackson.core.TestVersions
[INFO] Tests run: 2, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.031 s - in com.fasterxml.jackson.core.TestVersions
[INFO] Running com.fasterxml.jackson.core.read.NumberParsingTest
[ERROR] Tests run: 12, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.2 s <<< FAILURE! - in com.fasterxml.jackson.core.read.NumberParsingTest
[ERROR] testBigDecimal(com.fasterxml.jackson.core.read.NumberParsingTest)  Time elapsed: 0.01 s  <<< FAILURE!
[INFO] Running com.fasterxml.jackson.core.SkippedTest
[WARNING] Tests run: 3, Failures: 0, Errors: 0, Skipped: 3, Time elapsed: 0.001 s - in com.fasterxml.jackson.core.SkippedTest
[INFO] Running com.fasterxml.jackson.core.EmptyTest
[INFO] Tests run: 0, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0 s - in com.fasterxml.jackson.core.EmptyTest
[INFO] Running com.fasterxml.jackson.core.ErrorTest
[ERROR] Tests run: 4, Failures: 0, Errors: 2, Skipped: 1, Time elapsed: 0.5 s <<< ERROR! - in com.fasterxml.jackson.core.ErrorTest
[INFO] Running com.fasterxml.jackson.core.PartlySkippedTest
[WARNING] Tests run: 4, Failures: 0, Errors: 0, Skipped: 1, Time elapsed: 0.3 s - in com.fasterxml.jackson.core.PartlySkippedTest
[ERROR] Tests run: 21, Failures: 1, Errors: 2, Skipped: 5
[INFO] BUILD FAILURE
`;

const SUREFIRE_ANSI =
  `[${ESC}[1;34mINFO${ESC}[m] Running com.fasterxml.jackson.databind.ser.TestSerialization
[${ESC}[1;34mINFO${ESC}[m] ${ESC}[1;32mTests run: ${ESC}[0;1;32m7${ESC}[m, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.42 s - in com.fasterxml.jackson.databind.ser.TestSerialization
[${ESC}[1;31mERROR${ESC}[m] ${ESC}[1;31mTests run: ${ESC}[0;1;32m3${ESC}[m, ${ESC}[1;31mFailures: ${ESC}[0;1;31m1${ESC}[m, Errors: 0, Skipped: 0, Time elapsed: 0.1 s ${ESC}[1;31m<<< FAILURE!${ESC}[m - in com.fasterxml.jackson.databind.deser.TestDeser
[INFO] Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.01 s - in com.fasterxml.jackson.databind.PlainTest
`;

const SUREFIRE_UNICODE =
  `[INFO] Tests run: ٣, Failures: ٠, Errors: ٠, Skipped: ٠, Time elapsed: ٠.٢ s - in com.example.ArabicDigitsTest
[INFO] Tests run: ٢, Failures: ١, Errors: 0, Skipped: 0, Time elapsed: 0.1 s - in com.example.ArabicFailureTest
[INFO] Tests run: 4, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.5 с - in com.пример.КириллицаТест
[INFO] Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 1.0 s - in com.예제.한국어테스트
[INFO] Tests run: ３, Failures: 0, Errors: 0, Skipped: ３, Time elapsed: 0.0 s - in com.example.FullwidthSkipped
`;

const SUREFIRE_OVERLAP =
  `[INFO] Tests run: 2, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.1 s - in org.apache.dubbo.RpcTest
[ERROR] Tests run: 2, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.1 s <<< FAILURE! - in org.apache.dubbo.RpcTest
`;

const SUREFIRE_DUPLICATE =
  `[INFO] Tests run: 2, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.1 s - in org.apache.dubbo.common.URLTest
[INFO] Tests run: 5, Failures: 0, Errors: 0, Skipped: 1, Time elapsed: 0.3 s - in org.apache.dubbo.common.URLTest
[INFO] Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.1 s - in org.apache.dubbo.common.trunc`;

const GSON_LOG = `[INFO] Scanning for projects...
-------------------------------------------------------
 T E S T S
-------------------------------------------------------
Running com.google.gson.JsonArrayTest
Tests run: 12, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.011 sec
Running com.google.gson.functional.MapTest
Some output from the test
another line
Tests run: 40, Failures: 2, Errors: 0, Skipped: 0, Time elapsed: 0.2 sec <<< FAILURE!
Running com.google.gson.SkippedTest
Tests run: 2, Failures: 0, Errors: 0, Skipped: 2, Time elapsed: 0.001 sec
Running com.google.gson.ErrTest
Tests run: 1, Failures: 0, Errors: 1, Skipped: 0, Time elapsed: 0.001 sec <<< FAILURE!

Results :

Tests run: 55, Failures: 2, Errors: 1, Skipped: 2
`;

const GSON_OFFSET = `Running com.google.gson.FirstTest
Tests run: 3, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.01 sec
Running com.google.gson.SecondTest
Tests run: 3, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.01 sec <<< FAILURE!
`;

// Five astral characters: offset 8 in code points (Python) is inside the first "Running", in
// UTF-16 units it would be before it.
const GSON_UNICODE = `🦀🦀🦀🦀🦀
Running com.google.gson.AstralPrefixTest
Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.1 sec
Running com.google.gson.ÜnicodeTest
Tests run: ٥, Failures: ٠, Errors: ٠, Skipped: ٠, Time elapsed: ٠.١ sec
Running com.google.gson.TruncatedTest
Tests run: 3, Failures: 0, Err`;

const GRADLE_LOG = `> Task :buildSrc:compileJava UP-TO-DATE
> Task :logstash-core:compileJava
> Task :logstash-core:processResources NO-SOURCE
> Task :logstash-core:javadoc SKIPPED
> Task :logstash-core:test

org.logstash.ackedqueue.QueueTest > singleWriteRead PASSED

org.logstash.ackedqueue.QueueTest > multiWrite FAILED
    java.lang.AssertionError at QueueTest.java:120

org.logstash.ackedqueue.QueueTest > ignoredOne SKIPPED
    org.logstash.RubyTest > indented PASSED
org.logstash.ackedqueue.QueueTest > multiWrite PASSED

> Task :logstash-core:test FAILED

FAILURE: Build failed with an exception.
`;

const GRADLE_OVERLAP = `> Task :compileJava
org.mockito.SomeTest > runs PASSED
org.mockito.SomeTest > runs SKIPPED
`;

const GRADLE_CRLF_UNICODE = CRLF(`> Task :test
org.mockito.ПримерTest > проверка_кириллицы PASSED
org.mockito.한국어Test > 테스트 FAILED
org.mockito.PlainTest > plain PASSED   
`);

const JIB_LOG = `> Task :jib-core:compileJava FROM-CACHE
> Task :jib-core:processResources NO-SOURCE
> Task :jib-core:test
    com.google.cloud.tools.jib.api.JibTest > testBasic PASSED
    com.google.cloud.tools.jib.api.JibTest > testFailing FAILED
    com.google.cloud.tools.jib.api.JibTest > testFailing SKIPPED
    com.google.cloud.tools.jib.api.JibTest > testSkippedOnly SKIPPED
    com.google.cloud.tools.jib.api.JibTest > testFailing PASSED
> Task :jib-core:test FAILED
`;

// --- JavaScript / TypeScript -------------------------------------------------------------------

const JEST_DAYJS = `> dayjs@1.8.0 test /home/dayjs
> jest --verbose

PASS test/constructor.test.js
  ✓ supports instanceof dayjs (3 ms)
  ✓ does not break isDayjs (1 ms)
FAIL test/plugin/utc.test.js (5.123 s)
  UTC mode
    ✓ utc() works (12ms)
    ✕ format in utc (8 ms)
    ○ skipped test
PASS test/locale.test.js
  ✓ Uzbek locale works
  ✓ Uzbek locale works

Test Suites: 1 failed, 2 passed, 3 total
`;

const JEST_UNICODE = `PASS test/locale/ko.test.js
  ✓ 한국어 로케일 형식 (٥ ms)
  ✓ формат на русском (3 мс)
  ✓ digits in title ٣ (12 ms)
  ✓ arabic duration (١٢.٥ s)
FAIL test/locale/ar.test.js (٥.١ s)
  ✕ أسماء الأشهر (٧ ms)
`;

const JEST_NO_SUITE = `  ✓ a test before any suite line (2 ms)
PASS test/a.test.js
`;

const JEST_ANSI_CRLF = CRLF(
  `${ESC}[0m${ESC}[7m${ESC}[1m${ESC}[32m PASS ${ESC}[39m${ESC}[22m${ESC}[27m${ESC}[0m test/colour.test.js
  ${ESC}[32m✓${ESC}[39m ${ESC}[2mcoloured test (1 ms)${ESC}[22m
PASS tests/fetchStats.test.js
  fetchStats
    ✓ should fetch correct stats (15 ms)
    ✓ should throw error (3 ms)
FAIL tests/renderStatsCard.test.js
    ✕ should render badges`,
);

const DARKREADER_LOG = `PASS tests/unit/utils/uid.tests.ts (6.2 s)
  ✓ Unique identifier generation (4 ms)
  ✓ Other thing (with parens) (1 ms)
FAIL tests/unit/generators/theme.tests.ts
  ✕ Dark theme colors (22 ms)
  ✕ Plain failure
PASS tests/unit with spaces.tests.ts
  ✓ after a suite line with a space
`;

const INSOMNIA_LOG = `PASS src/__tests__/import.test.ts (12.3 s)
FAIL src/__tests__/export.test.ts
  export
    ✓ exports workspace (5 tests) (30 ms)
    ✓ exports single request (12 ms)
    ✕ exports with plugins (3 ms)
    ✓ handles (parenthesised) names
PASS packages/insomnia-url/src/__tests__/querystring.test.ts
`;

const VITEST_LOG = ` ✓ packages/runtime-core/__tests__/apiWatch.spec.ts > api: watch > effect 5ms
 ✓ packages/runtime-core/__tests__/apiWatch.spec.ts > api: watch > watching single source: getter
 × packages/reactivity/__tests__/ref.spec.ts > reactivity/ref > should work 12ms
   → expected 1 to be 2
 ✓ packages/shared/__tests__/normalize.spec.ts > runs in 5s
 ✓ packages/shared/__tests__/timing.spec.ts > took 1.5 m
 ↓ packages/shared/__tests__/skipped.spec.ts > skipped test
 ✓ packages/compiler-sfc/__tests__/compileScript.spec.ts > 한국어 설명 ٣ms
 ✓ packages/compiler-sfc/__tests__/compileScript.spec.ts > ends with unicode digits ٤٥
 ✓ packages/compiler-sfc/__tests__/compileScript.spec.ts > effect 5ms
`;

const SVELTE_LOG = CRLF(` ✓ |unit| packages/svelte/tests/runtime/test.ts > each-block 12ms
 × |unit| packages/svelte/tests/runtime/test.ts > if-block (with shorthand) 3ms
 ✓ |unit| packages/svelte/tests/runtime/test.ts > duplicated
 ✓ |unit| packages/svelte/tests/runtime/test.ts > duplicated
 × |unit| packages/svelte/tests/runtime/test.ts > duplicated
 ✓ trunc`);

const MOCHA_SPEC_LOG = `

  axios
    ✔ should support get (12ms)
    ✔ should support post
    1) should support delete
    ✔ поддерживает кириллицу (٣ms)
    ✔ keeps a (note) in the title (5 мс)
    ✔ 한국어 테스트 (7 밀리초)

  headers
    ✔ should default common headers

  5 passing (120ms)
  1 failing

  1) axios
       should support delete:
     AssertionError: expected 404 to equal 200
`;

const MOCHA_SPEC_EXPRESS = `

  app.router
    ✔ should restore req.params after leaving router
    2) should be chainable (12ms)
    ✔ methods supported (5ms)

  1 passing (30ms)

  2) app.router
       should be chainable:
     Error: boom
`;

const muiTest = (fullTitle: unknown, file: unknown = "/home/material-ui/packages/a.test.js") => ({
  title: typeof fullTitle === "string" ? fullTitle.split(" ").at(-1) : "t",
  fullTitle,
  file,
  duration: 3,
  currentRetry: 0,
  speed: "fast",
  err: {},
});

const mochaReport = (
  passes: unknown[],
  failures: unknown[] = [],
  pending: unknown[] = [],
  stats: Record<string, unknown> = {},
) => ({
  stats: {
    suites: 2,
    tests: passes.length + failures.length + pending.length,
    passes: passes.length,
    pending: pending.length,
    failures: failures.length,
    start: "2024-01-01T00:00:00.000Z",
    end: "2024-01-01T00:00:01.000Z",
    duration: 1000,
    ...stats,
  },
  tests: [...passes, ...failures, ...pending],
  pending,
  failures: failures.map((t) => ({ ...(t as object), err: { message: "expected true" } })),
  passes,
});

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

const MUI_REPORT = mochaReport(
  [muiTest("<Button /> renders"), muiTest("<Button /> Кнопка рендерит 한국어")],
  [muiTest("<Slider /> moves")],
  [muiTest("<Slider /> pending one")],
);

const MUI_BEFORE_MARKER = `$ cross-env NODE_ENV=test mocha --reporter json
${pretty(mochaReport([muiTest("<Old /> before the marker")]))}
Building new test bundle...
${pretty(MUI_REPORT)}
error Command failed with exit code 1.
info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.
`;

const MUI_NOISE = `yarn run v1.22.19
{ this is not json
${
  pretty(MUI_REPORT).replace(
    '"duration": 1000',
    '"duration": 1000error Command failed with exit code ١٢.',
  )
}
{"partial": 
`;

const MUI_NON_STRING = CRLF(pretty(mochaReport(
  [muiTest(123), muiTest(1.5), muiTest(null), muiTest(true), muiTest(["a", "it's", 1e16])],
  [muiTest({ k: "v" }, 7)],
)));

const MUI_MISSING_FILE = JSON.stringify(mochaReport([{ ...muiTest("no file"), file: undefined }]));

const MUI_TWO_REPORTS = `Building new
${JSON.stringify(mochaReport([muiTest("A passes"), muiTest("C pending")]))}
${JSON.stringify(mochaReport([muiTest("B passes")], [muiTest("A passes")], [muiTest("C pending")]))}
Building new again`;

const EXPRESS_REPORT = mochaReport(
  [{ title: "ok", fullTitle: "app.router should work", currentRetry: 0, err: {}, duration: 2 }],
  [{ title: "bad", fullTitle: "app.router should fail", currentRetry: 0, err: {} }],
  [{ title: "todo", fullTitle: "app.router later", currentRetry: 0, err: {} }],
);

const EXPRESS_WRITING = (() => {
  const json = pretty(EXPRESS_REPORT);
  const cut = json.indexOf('"tests"');
  return `> express@4.17.1 test-ci /home/express
> nyc --reporter=lcovonly --reporter=text npm test -- --reporter json

${json.slice(0, cut)}
Writing coverage object [/home/express/coverage.json]\r{"stray": "cut by Python, kept by a JS m-flag regex"}
==========
${json.slice(cut)}
==========\r
=============================== Coverage summary ===============================
Statements   : 98.9% ( 1025/1036 )
================================================================================
`;
})();

const EXPRESS_NON_STRING = JSON.stringify(
  mochaReport([
    { title: 1, fullTitle: 42, currentRetry: "2", err: null },
    { title: "t", fullTitle: ["it's", null], currentRetry: 1.5, err: {} },
    { title: "t", fullTitle: 12345678901234567890n, currentRetry: 0, err: {} },
  ]),
  (_key, value) => typeof value === "bigint" ? `@@${value}@@` : value,
).replaceAll(/"@@(\d+)@@"/g, "$1");

const EXPRESS_BAD_REPORT = `${
  JSON.stringify(EXPRESS_REPORT)
}\n{"stats": null, "tests": [], "pending": [], "failures": [], "passes": []}\n{"unrelated": true}\n`;

const EXPRESS_NAN = JSON.stringify(EXPRESS_REPORT).replace('"duration":1000', '"duration":NaN');

const EXPRESS_FLOATS =
  `{"stats": {"suites": 1, "tests": 1, "passes": 1, "pending": 0, "failures": 0, "start": "s", "end": "e", "duration": 1},
 "tests": [], "pending": [], "failures": [],
 "passes": [{"title": "x", "fullTitle": 1.0, "currentRetry": 0, "err": {}},
            {"title": "x", "fullTitle": 1e-5, "currentRetry": 0, "err": {}},
            {"title": "x", "fullTitle": -0.0, "currentRetry": 0, "err": {}},
            {"title": "x", "fullTitle": 1E400, "currentRetry": 0, "err": {}},
            {"title": "x", "fullTitle": "tab\\tand \\u00e9 \\ud83d\\ude00", "currentRetry": 0, "err": {}},
            {"title": "x", "fullTitle": ["\\u0000", "\\u200b", "a\\"b", "\\u00a0"], "currentRetry": 0, "err": {}}]}`;

// --- C / C++ -----------------------------------------------------------------------------------

const AUTOMAKE_LOG = `make  check-TESTS
make[2]: Entering directory '/home/jq'
PASS: tests/optionaltest
PASS: tests/mantest
FAIL: tests/jqtest
SKIP: tests/utf8test
XFAIL: tests/expected_failure
XPASS: tests/unexpected_pass
ERROR: tests/broken
PASS: tests/with space
============================================================================
Testsuite summary for jq 1.6
============================================================================
# TOTAL: 8
# PASS:  3
`;

const AUTOMAKE_COLOUR_CRLF = CRLF(`${ESC}[0;32mPASS${ESC}[m: tests/coloured
PASS: tests/shtest
FAIL: tests/onigtest
PASS: tests/παράδειγμα
PASS: tests/onigtest`);

const ZSTD_LEAVING = "make[1]: Leaving directory '/home/zstd/doc/educational_decoder'";

const PONY_LOG = `[==========] Running 4 tests from 2 test suites.
[ RUN      ] LexerTest.Id
[       OK ] LexerTest.Id (0 ms)
[ RUN      ] LexerTest.Broken
[  FAILED  ] LexerTest.Broken (1 ms)
${ESC}[0;32m[       OK ] ${ESC}[0mParserTest.Coloured (2 ms)
${ESC}[0;31m[  FAILED  ] ${ESC}[0mParserTest.ColouredFail (2 ms)
${ESC}[92m---- Passed: builtin/Array${ESC}[0m
${ESC}[91m**** FAILED: builtin/String${ESC}[0m
[==========] 4 tests from 2 test suites ran. (10 ms total)
[  PASSED  ] 2 tests.
[  FAILED  ] 2 tests, listed below:
[  FAILED  ] LexerTest.Broken
[  FAILED  ] ParserTest.ColouredFail
`;

const HTTPLIB_OVERLAP = `[       OK ] ServerTest.GetMethod200 (1 ms)
[  FAILED  ] ServerTest.GetMethod200 (2 ms)
`;

const CTEST_LOG = `Test project /home/fmt/build
      Start  1: args-test
 1/4 Test  #1: args-test ........................   Passed    0.01 sec
      Start  2: format-test
 2/4 Test  #2: format-test ......................***Failed    0.52 sec
 3/4 Test  #3: core-test ........................***Failed
 4/4 Test  #4: chrono-test ......................***Exception: SegFault  0.02 sec
10/12 Test #10: unicode-test-ユニコード .........   Passed    0.03 sec

50% tests passed, 2 tests failed out of 4
`;

const CTEST_CRLF = CRLF(`1/2 Test #1: test-unit-json ...........   Passed    1.20 sec
2/2 Test #2: test-unit-cbor ...........***Failed
  1/1 Test #1: trailing-space ...   Passed    0.10 sec   `);

const CATCH2_LOG = `-- Performing Test HAVE_FLAG_WALL
-- Performing Test HAVE_FLAG_WALL - Success
-- Performing Test HAVE_FLAG_WEVERYTHING - Failed
-- Performing Test HAVE_SOMETHING - skipped
Test project /home/Catch2/build
    Start 1: RunTests
1/3 Test #1: RunTests .........................   Passed    2.41 sec
2/3 Test #2: ListTests ........................***Failed    0.01 sec
3/3 Test #3: NoAssertions ..................... Passed
4/4 Test #4: ApprovalTests ....................   PASSED    0.50 sec
`;

/** The corpus. */
export const LOG_CORPUS: readonly LogCase[] = [
  // G1
  { id: "G1/basic", repo: "cli/cli", log: GO_BASIC },
  { id: "G1/panic", repo: "cli/cli", log: GO_PANIC },
  { id: "G1/subtests failing", repo: "cli/cli", log: GO_SUBTESTS_FAIL },
  { id: "G1/duplicate names", repo: "cli/cli", log: GO_DUPLICATES },
  { id: "G1/unicode names and digits", repo: "cli/cli", log: GO_UNICODE },
  { id: "G1/crlf", repo: "cli/cli", log: CRLF(GO_BASIC) },
  {
    id: "G1/ansi",
    repo: "cli/cli",
    log: `${ESC}[32m--- PASS: TestColour (0.00s)${ESC}[0m\n--- PASS: TestPlain (0.00s)\n`,
  },
  {
    id: "G1/skip after fail: overlap",
    repo: "cli/cli",
    log: "--- FAIL: TestA (0.00s)\n--- SKIP: TestA (0.00s)\n",
  },
  {
    id: "G1/truncated",
    repo: "cli/cli",
    log: GO_BASIC.slice(0, GO_BASIC.indexOf("FAIL\tgithub") + 9),
  },
  // G2
  { id: "G2/subtests folded", repo: "zeromicro/go-zero", log: GO_BASIC },
  { id: "G2/panic", repo: "zeromicro/go-zero", log: GO_PANIC },
  { id: "G2/fail then pass subtest: overlap", repo: "zeromicro/go-zero", log: GO_SUBTESTS_FAIL },
  { id: "G2/unicode", repo: "zeromicro/go-zero", log: GO_UNICODE },
  // grpc-go: G1 in velora (documented exception, see the test)
  { id: "G1 (grpc-go)/basic", repo: "grpc/grpc-go", log: GO_BASIC },
  { id: "G1 (grpc-go)/subtests failing", repo: "grpc/grpc-go", log: GO_SUBTESTS_FAIL },
  { id: "G1 (grpc-go)/duplicates", repo: "grpc/grpc-go", log: GO_DUPLICATES },
  {
    id: "G1 (grpc-go)/row grpc__grpc-go-3476",
    repo: "grpc/grpc-go",
    number: 3476,
    log: fixture("grpc__grpc-go-3476.fix-patch-run.log"),
  },
  // R
  { id: "R/basic with doctests", repo: "tokio-rs/bytes", log: CARGO_BASIC },
  { id: "R/same name in two binaries", repo: "BurntSushi/ripgrep", log: CARGO_TWO_BINARIES },
  { id: "R/pass and fail across binaries: overlap", repo: "clap-rs/clap", log: CARGO_OVERLAP },
  { id: "R/quirks, unicode, truncation", repo: "nushell/nushell", log: CARGO_QUIRKS },
  { id: "R/ansi", repo: "tokio-rs/tokio", log: CARGO_ANSI },
  { id: "R/crlf", repo: "sharkdp/fd", log: CRLF(CARGO_BASIC) },
  { id: "R/rayon", repo: "rayon-rs/rayon", log: CARGO_TWO_BINARIES },
  { id: "R/serde", repo: "serde-rs/serde", log: CARGO_ANSI },
  { id: "R/bat", repo: "sharkdp/bat", log: CARGO_QUIRKS },
  { id: "R/tracing", repo: "tokio-rs/tracing", log: CARGO_BASIC },
  // J1, J1'
  { id: "J1/basic", repo: "fasterxml/jackson-core", log: SUREFIRE_BASIC },
  { id: "J1/ansi stripped", repo: "fasterxml/jackson-databind", log: SUREFIRE_ANSI },
  {
    id: "J1/unicode digits and names",
    repo: "fasterxml/jackson-dataformat-xml",
    log: SUREFIRE_UNICODE,
  },
  { id: "J1/pass and fail: overlap", repo: "apache/dubbo", log: SUREFIRE_OVERLAP },
  { id: "J1/duplicate class, truncated", repo: "apache/dubbo", log: SUREFIRE_DUPLICATE },
  { id: "J1/crlf", repo: "fasterxml/jackson-core", log: CRLF(SUREFIRE_BASIC) },
  { id: "J1'/basic", repo: "alibaba/fastjson2", log: SUREFIRE_BASIC },
  { id: "J1'/ansi not stripped", repo: "alibaba/fastjson2", log: SUREFIRE_ANSI },
  { id: "J1'/unicode digits", repo: "alibaba/fastjson2", log: SUREFIRE_UNICODE },
  // J2
  { id: "J2/blocks", repo: "google/gson", log: GSON_LOG },
  { id: "J2/offset 8", repo: "google/gson", log: GSON_OFFSET },
  { id: "J2/crlf", repo: "google/gson", log: CRLF(GSON_LOG) },
  { id: "J2/unicode, astral prefix, truncation", repo: "google/gson", log: GSON_UNICODE },
  // J3, J4
  { id: "J3/tasks and methods", repo: "elastic/logstash", log: GRADLE_LOG },
  { id: "J3/passed then skipped: overlap", repo: "mockito/mockito", log: GRADLE_OVERLAP },
  { id: "J3/crlf, unicode, trailing spaces", repo: "mockito/mockito", log: GRADLE_CRLF_UNICODE },
  { id: "J4/stripped, FROM-CACHE, skip rules", repo: "googlecontainertools/jib", log: JIB_LOG },
  { id: "J4/crlf", repo: "googlecontainertools/jib", log: CRLF(GRADLE_LOG) },
  // JS1, JS1', JS2
  { id: "JS1/suites", repo: "iamkun/dayjs", log: JEST_DAYJS },
  {
    id: "JS1/row iamkun__dayjs-337",
    repo: "iamkun/dayjs",
    number: 337,
    log: fixture("iamkun__dayjs-337.fix-patch-run.log"),
  },
  { id: "JS1/unicode names and durations", repo: "iamkun/dayjs", log: JEST_UNICODE },
  {
    id: "JS1/test before suite: error",
    repo: "anuraghazra/github-readme-stats",
    log: JEST_NO_SUITE,
  },
  { id: "JS1/ansi and crlf", repo: "anuraghazra/github-readme-stats", log: JEST_ANSI_CRLF },
  { id: "JS1'/darkreader", repo: "darkreader/darkreader", log: DARKREADER_LOG },
  {
    id: "JS1'/row darkreader__darkreader-7241",
    repo: "darkreader/darkreader",
    number: 7241,
    log: fixture("darkreader__darkreader-7241.fix-patch-run.log"),
  },
  { id: "JS1'/unicode", repo: "darkreader/darkreader", log: JEST_UNICODE },
  { id: "JS2/insomnia", repo: "Kong/insomnia", log: INSOMNIA_LOG },
  { id: "JS2/unicode", repo: "Kong/insomnia", log: JEST_UNICODE },
  // JS3
  { id: "JS3/vue", repo: "vuejs/core", log: VITEST_LOG },
  { id: "JS3/svelte crlf, duplicates: overlap", repo: "sveltejs/svelte", log: SVELTE_LOG },
  {
    id: "JS3/svelte without the failing duplicate",
    repo: "sveltejs/svelte",
    log: SVELTE_LOG.replace(" × |unit| packages/svelte/tests/runtime/test.ts > duplicated\r\n", ""),
  },
  // JS4
  { id: "JS4/axios", repo: "axios/axios", log: MOCHA_SPEC_LOG },
  { id: "JS4/axios crlf", repo: "axios/axios", log: CRLF(MOCHA_SPEC_LOG) },
  { id: "JS4/express spec PR", repo: "expressjs/express", number: 4212, log: MOCHA_SPEC_EXPRESS },
  { id: "JS4/express spec PR 5841", repo: "expressjs/express", number: 5841, log: MOCHA_SPEC_LOG },
  // JS5
  { id: "JS5 mui/report after the marker", repo: "mui/material-ui", log: MUI_BEFORE_MARKER },
  { id: "JS5 mui/noise, exit line in JSON", repo: "mui/material-ui", log: MUI_NOISE },
  { id: "JS5 mui/non-string titles, crlf", repo: "mui/material-ui", log: MUI_NON_STRING },
  { id: "JS5 mui/missing file: error", repo: "mui/material-ui", log: MUI_MISSING_FILE },
  { id: "JS5 mui/two reports, failure wins", repo: "mui/material-ui", log: MUI_TWO_REPORTS },
  { id: "JS5 mui/empty object: error", repo: "mui/material-ui", log: "Building new\n{}\n" },
  {
    id: "JS5 express/Writing lines with \\r",
    repo: "expressjs/express",
    number: 3495,
    log: EXPRESS_WRITING,
  },
  {
    id: "JS5 express/non-string titles",
    repo: "expressjs/express",
    number: 3495,
    log: EXPRESS_NON_STRING,
  },
  {
    id: "JS5 express/null stats, unrelated object: error",
    repo: "expressjs/express",
    number: 5000,
    log: EXPRESS_BAD_REPORT,
  },
  {
    id: "JS5 express/NaN duration: error",
    repo: "expressjs/express",
    number: 5000,
    log: EXPRESS_NAN,
  },
  {
    id: "JS5 express/float and escaped titles",
    repo: "expressjs/express",
    number: 5000,
    log: EXPRESS_FLOATS,
  },
  // C1, C1'
  { id: "C1/jq", repo: "jqlang/jq", log: AUTOMAKE_LOG },
  { id: "C1/colour, crlf, unicode, overlap", repo: "jqlang/jq", log: AUTOMAKE_COLOUR_CRLF },
  { id: "C1'/zstd plain", repo: "facebook/zstd", number: 3000, log: AUTOMAKE_LOG },
  {
    id: "C1'/zstd range 1 once",
    repo: "facebook/zstd",
    number: 1900,
    log: `a\n${ZSTD_LEAVING}\nFAIL: x\n`,
  },
  {
    id: "C1'/zstd range 1 twice",
    repo: "facebook/zstd",
    number: 2703,
    log: `${ZSTD_LEAVING}\n${ZSTD_LEAVING}\n`,
  },
  { id: "C1'/zstd range 2", repo: "facebook/zstd", number: 1230, log: "PASS: all POOL tests\n" },
  { id: "C1'/zstd range 2 missing", repo: "facebook/zstd", number: 1748, log: "PASS: all tests\n" },
  // C2
  { id: "C2/ponyc", repo: "ponylang/ponyc", log: PONY_LOG },
  { id: "C2/cpp-httplib crlf", repo: "yhirose/cpp-httplib", log: CRLF(PONY_LOG) },
  { id: "C2/ok and failed: overlap", repo: "yhirose/cpp-httplib", log: HTTPLIB_OVERLAP },
  // C3, C4
  { id: "C3/fmt", repo: "fmtlib/fmt", log: CTEST_LOG },
  { id: "C3/json crlf", repo: "nlohmann/json", log: CTEST_CRLF },
  { id: "C3/simdjson", repo: "simdjson/simdjson", log: CTEST_LOG.replaceAll("Test  #", "Test #") },
  { id: "C4/catch2", repo: "catchorg/Catch2", log: CATCH2_LOG },
  { id: "C4/catch2 crlf", repo: "catchorg/Catch2", log: CRLF(CATCH2_LOG) },
];
