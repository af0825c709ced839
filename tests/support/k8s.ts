/**
 * The Kubernetes cluster the k8s tests run against: `scripts/k8s-local.sh up` starts one on this
 * machine and prints its `KUBECONFIG=` and `REGISTRY=` lines; `.ci/run` exports them as
 * `VELORA_TEST_KUBECONFIG` and `VELORA_TEST_REGISTRY`.
 *
 * Without `VELORA_TEST_KUBECONFIG` the tests are skipped locally and fail under `CI=true`, like the
 * Docker tests, except when `VELORA_TEST_K8S_UNAVAILABLE` gives the reason the cluster could not be
 * brought up here (`.ci/run` sets it when `up` fails): then they are skipped and the reason printed,
 * so the log says why instead of every other test failing with them.
 *
 * @module
 */

const env = (name: string): string | undefined => Deno.env.get(name) || undefined;

/** The test cluster's kubeconfig (`VELORA_TEST_KUBECONFIG`), when one is set. */
export const TEST_KUBECONFIG: string | undefined = env("VELORA_TEST_KUBECONFIG");

/** The test cluster's image registry, `host:port` (`VELORA_TEST_REGISTRY`, default 127.0.0.1:5000). */
export const TEST_REGISTRY: string = env("VELORA_TEST_REGISTRY") ?? "127.0.0.1:5000";

/**
 * The kubectl to run: `VELORA_TEST_KUBECTL`, else the one `scripts/k8s-local.sh` built (in
 * `$VELORA_K8S_CACHE/bin`, default `~/.cache/velora/k8s-v1.31.0/bin`) when it exists, else
 * `kubectl` on PATH.
 */
export const KUBECTL: string = env("VELORA_TEST_KUBECTL") ?? (() => {
  const cache = env("VELORA_K8S_CACHE") ??
    `${env("XDG_CACHE_HOME") ?? `${env("HOME")}/.cache`}/velora/k8s-v1.31.0`;
  try {
    Deno.statSync(`${cache}/bin/kubectl`);
    return `${cache}/bin/kubectl`;
  } catch {
    return "kubectl";
  }
})();

let reported = false;

/**
 * The `ignore` value for a k8s test: true when the cluster is known to be unavailable
 * (`VELORA_TEST_K8S_UNAVAILABLE`, whose reason is printed once), or when no kubeconfig is set and
 * `CI` is not `true`. Under `CI=true` without either, the test runs and fails on
 * {@linkcode requireKubeconfig}.
 */
export function ignoreWithoutK8s(): boolean {
  const unavailable = env("VELORA_TEST_K8S_UNAVAILABLE");
  if (unavailable !== undefined) {
    if (!reported) console.error(`k8s tests skipped: ${unavailable}`);
    reported = true;
    return true;
  }
  return TEST_KUBECONFIG === undefined && Deno.env.get("CI") !== "true";
}

/** The kubeconfig, or an error saying how to get one (a k8s test that runs needs it). */
export function requireKubeconfig(): string {
  if (TEST_KUBECONFIG === undefined) {
    throw new Error(
      "VELORA_TEST_KUBECONFIG is unset under CI=true: run `scripts/k8s-local.sh up` and export its " +
        "KUBECONFIG= line as VELORA_TEST_KUBECONFIG, or set VELORA_TEST_K8S_UNAVAILABLE=<reason>",
    );
  }
  return TEST_KUBECONFIG;
}

/** Runs kubectl against the test cluster: its stdout, or an error with its stderr. */
export async function kubectl(
  args: string[],
  opts: { check?: boolean; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(KUBECTL, {
    args: ["--kubeconfig", requireKubeconfig(), ...args],
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  const out = await child.output();
  const result = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (opts.check !== false && out.code !== 0) {
    throw new Error(`kubectl ${args.join(" ")} exited ${out.code}: ${result.stderr.trim()}`);
  }
  return result;
}

/** Starts a long-running kubectl (port-forward, ...) with piped stdout and stderr. */
export function spawnKubectl(args: string[]): Deno.ChildProcess {
  return new Deno.Command(KUBECTL, {
    args: ["--kubeconfig", requireKubeconfig(), ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * Pushes a local image to the test registry under the name velora's Kubernetes backend pulls it
 * by (`<registry>/<image>`); the tag made for the push is removed again.
 */
export async function pushToTestRegistry(image: string): Promise<string> {
  const target = `${TEST_REGISTRY}/${image}`;
  const run = async (args: string[]) => {
    const out = await new Deno.Command("docker", { args, stdout: "null", stderr: "piped" })
      .output();
    if (!out.success) {
      throw new Error(`docker ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
  };
  // Test files run in parallel and push the same images: one tag, push and untag at a time.
  using lock = await Deno.open(`${Deno.env.get("TMPDIR") ?? "/tmp"}/velora-test-registry.lock`, {
    create: true,
    write: true,
  });
  await lock.lock(true);
  await run(["tag", image, target]);
  try {
    await run(["push", "--quiet", target]);
  } finally {
    await run(["rmi", "--no-prune", target]);
  }
  return target;
}

/** Names of the pods in `namespace` that carry velora's labels. */
export async function veloraPods(namespace: string): Promise<string[]> {
  const { stdout } = await kubectl([
    "get",
    "pods",
    "-n",
    namespace,
    "-l",
    "velora.run",
    "-o",
    "name",
  ]);
  return stdout.split("\n").filter(Boolean);
}

/**
 * Runs `fn` with a namespace of its own (test files run in parallel: what one asserts about its
 * pods must not see another's), deleted afterwards with whatever is left in it.
 */
export async function withNamespace(fn: (namespace: string) => Promise<void>): Promise<void> {
  const namespace = `velora-test-${crypto.randomUUID().slice(0, 8)}`;
  await kubectl(["create", "namespace", namespace]);
  try {
    await fn(namespace);
  } finally {
    await kubectl(["delete", "namespace", namespace, "--wait=false"], { check: false });
  }
}
