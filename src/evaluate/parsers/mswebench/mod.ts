/**
 * The Multi-SWE-bench parser families and the repositories that use them.
 * The reference picks a parser by `{org}/{repo}` only (the number matters for zstd and express);
 * so does {@linkcode msbParser}. Lookup ignores case, as GitHub does.
 *
 * One deliberate difference: `grpc/grpc-go` uses **G1** (names as printed), not the reference
 * HEAD's G2 (parent names). The stored results of the real row `grpc__grpc-go-3476` contain
 * `Test/ClientHandshakeReturnsAuthInfo` and `TestBuilderEqual/nil_builders`, which G2 cannot
 * produce from real `go test -v` output (it would store `Test` and `TestBuilderEqual`), so under
 * G2 every such row fails even with its gold patch. G2 stays available as `go_test_parent` and is
 * still used for `zeromicro/go-zero`, for which no row was at hand to check.
 *
 * Not covered: the SWE-bench-derived Python rows of the mini set (their parsers port SWE-bench's
 * per-repo parsers with raw unittest names) and repositories outside the verified set.
 *
 * @module
 */
import { didYouMean } from "../../../did_you_mean.ts";
import { pyReadText } from "../_common.ts";
import { type LogParser, UnknownParserError } from "../types.ts";
import { parseAutomake, zstdParser } from "./automake.ts";
import { parseCargo } from "./cargo.ts";
import { parseCatch2, parseCtest } from "./ctest.ts";
import { parseGoTest, parseGoTestParent } from "./go_test.ts";
import { parseGradle, parseGradleJib } from "./gradle.ts";
import { parseGson } from "./gson.ts";
import { parseGtestPony } from "./gtest.ts";
import { parseJestDarkreader, parseJestFlat, parseJestSuites } from "./jest.ts";
import { parseMochaJsonExpress, parseMochaJsonMui } from "./mocha_json.ts";
import { parseMochaSpec } from "./mocha_spec.ts";
import { parseSurefire, parseSurefireRaw } from "./surefire.ts";
import { parseVitest } from "./vitest.ts";

/** A parser family: its short id (the notes' label), and its parser for a PR number. */
export interface MsbFamily {
  /** The family's short label (`G1`, `JS1'`, …), as in the file docs of this folder. */
  label: string;
  /** The parser for PR `number` (only zstd and express depend on it). */
  parserFor: (number: number) => LogParser;
}

const fixed = (label: string, parse: LogParser): MsbFamily => ({ label, parserFor: () => parse });

/** Every family, by velora's name for it. */
export const MSB_FAMILIES: Readonly<Record<string, MsbFamily>> = {
  go_test: fixed("G1", parseGoTest),
  go_test_parent: fixed("G2", parseGoTestParent),
  cargo: fixed("R", parseCargo),
  surefire: fixed("J1", parseSurefire),
  surefire_raw: fixed("J1'", parseSurefireRaw),
  gson: fixed("J2", parseGson),
  gradle: fixed("J3", parseGradle),
  gradle_jib: fixed("J4", parseGradleJib),
  jest_suites: fixed("JS1", parseJestSuites),
  jest_darkreader: fixed("JS1'", parseJestDarkreader),
  jest_flat: fixed("JS2", parseJestFlat),
  vitest: fixed("JS3", parseVitest),
  mocha_spec: fixed("JS4", parseMochaSpec),
  mocha_json_mui: fixed("JS5", parseMochaJsonMui),
  express: {
    label: "JS4/JS5",
    parserFor: (n) => EXPRESS_SPEC_PRS.has(n) ? parseMochaSpec : parseMochaJsonExpress,
  },
  automake: fixed("C1", parseAutomake),
  zstd: { label: "C1'", parserFor: zstdParser },
  gtest_pony: fixed("C2", parseGtestPony),
  ctest: fixed("C3", parseCtest),
  catch2: fixed("C4", parseCatch2),
};

const EXPRESS_SPEC_PRS = new Set([4212, 4852, 5555, 5841]);

/** `org/repo` (as in the verified set) → family name. */
export const MSB_REPOS: Readonly<Record<string, string>> = {
  "cli/cli": "go_test",
  "grpc/grpc-go": "go_test",
  "zeromicro/go-zero": "go_test_parent",
  "BurntSushi/ripgrep": "cargo",
  "clap-rs/clap": "cargo",
  "nushell/nushell": "cargo",
  "rayon-rs/rayon": "cargo",
  "serde-rs/serde": "cargo",
  "sharkdp/bat": "cargo",
  "sharkdp/fd": "cargo",
  "tokio-rs/bytes": "cargo",
  "tokio-rs/tokio": "cargo",
  "tokio-rs/tracing": "cargo",
  "apache/dubbo": "surefire",
  "fasterxml/jackson-core": "surefire",
  "fasterxml/jackson-databind": "surefire",
  "fasterxml/jackson-dataformat-xml": "surefire",
  "alibaba/fastjson2": "surefire_raw",
  "google/gson": "gson",
  "elastic/logstash": "gradle",
  "mockito/mockito": "gradle",
  "googlecontainertools/jib": "gradle_jib",
  "iamkun/dayjs": "jest_suites",
  "anuraghazra/github-readme-stats": "jest_suites",
  "darkreader/darkreader": "jest_darkreader",
  "Kong/insomnia": "jest_flat",
  "sveltejs/svelte": "vitest",
  "vuejs/core": "vitest",
  "axios/axios": "mocha_spec",
  "expressjs/express": "express",
  "mui/material-ui": "mocha_json_mui",
  "jqlang/jq": "automake",
  "facebook/zstd": "zstd",
  "ponylang/ponyc": "gtest_pony",
  "yhirose/cpp-httplib": "gtest_pony",
  "fmtlib/fmt": "ctest",
  "nlohmann/json": "ctest",
  "simdjson/simdjson": "ctest",
  "catchorg/Catch2": "catch2",
};

const BY_LOWER = new Map(Object.entries(MSB_REPOS).map(([repo, fam]) => [repo.toLowerCase(), fam]));

/**
 * The parser Multi-SWE-bench uses for `org/repo` PR `number`, reading the log the way its harness
 * does: `gen_report` reads `fix-patch-run.log` back in text mode, whose universal newlines turn
 * every `\r\n` and lone `\r` into `\n` before `parse_log` sees it ({@linkcode pyReadText}).
 * Throws {@linkcode UnknownParserError} for an unknown repo.
 */
export function msbParser(
  org: string,
  repo: string,
  number: number,
): { family: string; label: string; parse: LogParser } {
  const key = `${org}/${repo}`;
  const family = BY_LOWER.get(key.toLowerCase());
  if (family === undefined) {
    throw new UnknownParserError(
      key,
      `No Multi-SWE-bench log parser for "${key}"${didYouMean(key, Object.keys(MSB_REPOS))}`,
    );
  }
  const entry = MSB_FAMILIES[family]!;
  const parse = entry.parserFor(number);
  return { family, label: entry.label, parse: (log) => parse(pyReadText(log)) };
}
