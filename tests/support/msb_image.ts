/**
 * A Multi-SWE-bench-shaped instance image for tests, built on the test base image, with the
 * reference layout: the repository (a git checkout at its base commit) in `/home/jq`, the gold
 * `/home/fix.patch` and `/home/test.patch`, and the stage scripts `/home/run.sh` (no patch),
 * `/home/test-run.sh` (`git apply` the test patch) and `/home/fix-run.sh` (`git apply` both), each
 * `set -e` and running the tests, which print automake lines (`PASS: tests/add`) as jq's
 * `make check` does, so rows are `jqlang/jq` (parser family C1).
 *
 * The bug: `mul` adds. The test patch adds `tests/mul.test` (fails before the fix, passes after);
 * `tests/add.test` passes throughout. The image is named the Multi-SWE-bench way under a unique
 * prefix: `<prefix>/jqlang_m_jq:pr-<number>` (`EVAL_DOCKER_IMAGE_PREFIX=<prefix>`).
 *
 * @module
 */
import { join } from "node:path";
import { BASE_IMAGE } from "./docker.ts";

/** The PR number of the fixture rows. */
export const MSB_NUMBER = 9001;

/** The gold test patch: adds `tests/mul.test`. */
export const MSB_TEST_PATCH = `diff --git a/tests/mul.test b/tests/mul.test
new file mode 100644
--- /dev/null
+++ b/tests/mul.test
@@ -0,0 +1,2 @@
+source ./lib.sh
+[ "$(mul 2 3)" = 6 ]
`;

/** The gold fix: `mul` multiplies. */
export const MSB_FIX_PATCH = `diff --git a/lib.sh b/lib.sh
--- a/lib.sh
+++ b/lib.sh
@@ -1,2 +1,2 @@
 add() { echo $(( $1 + $2 )); }
-mul() { echo $(( $1 + $2 )); }
+mul() { echo $(( $1 * $2 )); }
`;

/** A "fix" that applies and changes nothing the tests see. */
export const MSB_HARMLESS_PATCH = `diff --git a/lib.sh b/lib.sh
--- a/lib.sh
+++ b/lib.sh
@@ -1,2 +1,3 @@
 add() { echo $(( $1 + $2 )); }
 mul() { echo $(( $1 + $2 )); }
+# a comment
`;

const FILES: Record<string, string> = {
  "jq/lib.sh": "add() { echo $(( $1 + $2 )); }\nmul() { echo $(( $1 + $2 )); }\n",
  "jq/tests/add.test": 'source ./lib.sh\n[ "$(add 2 3)" = 5 ]\n',
  "jq/run_tests.sh": [
    "#!/bin/bash",
    "# One automake line per test script, as jq's make check prints them.",
    "status=0",
    "for t in tests/*.test; do",
    '  if bash "$t" >/dev/null 2>&1; then echo "PASS: ${t%.test}"; else echo "FAIL: ${t%.test}"; status=1; fi',
    "done",
    'echo "# TOTAL: $(ls tests/*.test | wc -l)"',
    "exit $status",
    "",
  ].join("\n"),
  "run.sh": "#!/bin/bash\nset -e\ncd /home/jq\nbash run_tests.sh\n",
  "test-run.sh":
    "#!/bin/bash\nset -e\ncd /home/jq\ngit apply --whitespace=nowarn /home/test.patch\nbash run_tests.sh\n",
  "fix-run.sh":
    "#!/bin/bash\nset -e\ncd /home/jq\ngit apply --whitespace=nowarn /home/test.patch /home/fix.patch\nbash run_tests.sh\n",
  "test.patch": MSB_TEST_PATCH,
  "fix.patch": MSB_FIX_PATCH,
  Dockerfile: [
    `FROM ${BASE_IMAGE}`,
    "COPY jq /home/jq",
    "RUN cd /home/jq && git init -q && git add -A && " +
    "git -c user.name=velora -c user.email=velora@example.com commit -qm base",
    "COPY fix.patch test.patch run.sh test-run.sh fix-run.sh /home/",
    "WORKDIR /home/",
    "",
  ].join("\n"),
};

/** A built fixture image: the prefix to name it by, and how to remove it. */
export interface MsbImage {
  /** `EVAL_DOCKER_IMAGE_PREFIX` for rows of {@linkcode msbRow}. */
  prefix: string;
  /** The image reference. */
  image: string;
  /** Removes the image (the tag this build made). */
  remove(): Promise<void>;
}

/** Builds the image under a fresh prefix (Docker's cache makes repeats fast). */
export async function buildMsbImage(): Promise<MsbImage> {
  const context = await Deno.makeTempDir({ prefix: "velora-msb-fixture-" });
  const prefix = `velora-test-msb-${crypto.randomUUID().slice(0, 8)}`;
  const image = `${prefix}/jqlang_m_jq:pr-${MSB_NUMBER}`;
  try {
    for (const [path, content] of Object.entries(FILES)) {
      await Deno.mkdir(join(context, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(context, path), content);
    }
    const build = await new Deno.Command("docker", {
      args: ["build", "-q", "--network", "host", "--label", "velora.test=1", "-t", image, context],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!build.success) {
      throw new Error(`Building ${image} failed: ${new TextDecoder().decode(build.stderr)}`);
    }
  } finally {
    await Deno.remove(context, { recursive: true });
  }
  return {
    prefix,
    image,
    remove: async () => {
      await new Deno.Command("docker", {
        args: ["rmi", "-f", image],
        stdout: "null",
        stderr: "null",
      })
        .output();
    },
  };
}

/** A Multi-SWE-bench row of the fixture repository (no stored results: derive fills them). */
export function msbRow(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    org: "jqlang",
    repo: "jq",
    number: MSB_NUMBER,
    state: "closed",
    title: "mul() adds instead of multiplying",
    body: "",
    base: { label: "jqlang:master", ref: "master", sha: "0".repeat(40) },
    resolved_issues: [{ number: 1, title: "mul adds", body: "mul 2 3 prints 5" }],
    fix_patch: MSB_FIX_PATCH,
    test_patch: MSB_TEST_PATCH,
    instance_id: `jqlang__jq-${MSB_NUMBER}`,
    ...changes,
  };
}
