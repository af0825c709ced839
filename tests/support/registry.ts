/**
 * A real image registry for tests: Debian's `docker-registry` (the CNCF distribution registry)
 * serving one temp folder on a free 127.0.0.1 port. The Docker engine pushes to registries on
 * 127.0.0.0/8 over plain HTTP, so no TLS is needed.
 *
 * ```ts
 * await using registry = await startRegistry();
 * await registry.tags("velora/x"); // ["base"]
 * ```
 *
 * Without the binary the tests that need it are skipped locally and fail under `CI=true`
 * (`.ci/run` installs the package), like the Docker tests.
 *
 * @module
 */
import { join } from "node:path";
import { ignoreWithoutDocker } from "./docker.ts";

/** The registry binary: `$VELORA_TEST_REGISTRY_BIN`, default `/usr/bin/docker-registry`. */
export const REGISTRY_BIN: string = Deno.env.get("VELORA_TEST_REGISTRY_BIN") ??
  "/usr/bin/docker-registry";

/** Whether the registry binary is there. */
export function registryInstalled(): boolean {
  try {
    return Deno.statSync(REGISTRY_BIN).isFile;
  } catch {
    return false;
  }
}

/**
 * The `ignore` value for a test that pushes to a registry: true only when `CI` is not `true` and
 * Docker, its base image or the registry binary is missing.
 */
export async function ignoreWithoutRegistry(): Promise<boolean> {
  if (Deno.env.get("CI") === "true") return false;
  return (await ignoreWithoutDocker()) || !registryInstalled();
}

/** A manifest as the registry serves it. */
export interface RegistryManifest {
  /** `Docker-Content-Digest`. */
  digest: string | null;
  /** `Content-Type`. */
  mediaType: string | null;
  /** The manifest itself. */
  body: { config?: { digest?: string }; layers?: { digest: string }[] };
}

/** A running registry; disposing it stops it (by PID) and removes its folder. */
export interface TestRegistry extends AsyncDisposable {
  /** `127.0.0.1:<port>`: the `--registry` value. */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Its temp folder (config, storage). */
  dir: string;
  /** The registry process. */
  pid: number;
  /** Tags of a repository (`GET /v2/<name>/tags/list`); `[]` when it has none. */
  tags(name: string): Promise<string[]>;
  /** A manifest by tag or digest, or `undefined` on 404. */
  manifest(name: string, reference: string): Promise<RegistryManifest | undefined>;
  /** Stops it; idempotent. */
  stop(): Promise<void>;
}

const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
].join(", ");

/** A port nothing listens on now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Starts `docker-registry serve` on a free 127.0.0.1 port with its own storage in a temp folder,
 * and waits until `GET /v2/` answers (up to 30 s).
 */
export async function startRegistry(): Promise<TestRegistry> {
  if (!registryInstalled()) {
    throw new Error(
      `${REGISTRY_BIN} is missing: apt-get install -y docker-registry (or set VELORA_TEST_REGISTRY_BIN)`,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "velora-registry-" });
  let lastError = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = freePort();
    const host = `127.0.0.1:${port}`;
    const config = join(dir, "config.yml");
    await Deno.writeTextFile(
      config,
      [
        "version: 0.1",
        "log:",
        "  level: warn",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${join(dir, "storage")}`,
        "  delete:",
        "    enabled: true",
        "http:",
        `  addr: ${host}`,
        "",
      ].join("\n"),
    );
    const child = new Deno.Command(REGISTRY_BIN, {
      args: ["serve", config],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let log = "";
    const drained = (async () => {
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
        log = (log + text).slice(-8000);
      }
    })().catch(() => {});
    let exited = false;
    const status = child.status.then((s) => {
      exited = true;
      return s;
    });
    let stopped: Promise<void> | undefined;
    const stop = () => {
      stopped ??= (async () => {
        if (!exited) {
          try {
            Deno.kill(child.pid, "SIGTERM");
          } catch { /* gone already */ }
          const timer = setTimeout(() => {
            try {
              if (!exited) Deno.kill(child.pid, "SIGKILL");
            } catch { /* gone already */ }
          }, 10_000);
          await status;
          clearTimeout(timer);
        }
        await drained;
      })();
      return stopped;
    };
    const url = `http://${host}`;
    const deadline = Date.now() + 30_000;
    let up = false;
    while (!exited && Date.now() < deadline) {
      try {
        const response = await fetch(`${url}/v2/`);
        await response.body?.cancel();
        if (response.status === 200) {
          up = true;
          break;
        }
      } catch { /* not listening yet */ }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!up) {
      await stop();
      lastError = log.trim() || (exited ? "it exited" : "GET /v2/ did not answer in 30 s");
      continue;
    }
    const registry: TestRegistry = {
      host,
      url,
      dir,
      pid: child.pid,
      async tags(name) {
        const response = await fetch(`${url}/v2/${name}/tags/list`);
        if (response.status === 404) {
          await response.body?.cancel();
          return [];
        }
        if (!response.ok) throw new Error(`GET tags of ${name}: HTTP ${response.status}`);
        const body = await response.json() as { tags?: string[] | null };
        return (body.tags ?? []).sort();
      },
      async manifest(name, reference) {
        const response = await fetch(`${url}/v2/${name}/manifests/${reference}`, {
          headers: { Accept: MANIFEST_TYPES },
        });
        if (response.status === 404) {
          await response.body?.cancel();
          return undefined;
        }
        if (!response.ok) throw new Error(`GET manifest ${name}:${reference}: ${response.status}`);
        return {
          digest: response.headers.get("Docker-Content-Digest"),
          mediaType: response.headers.get("Content-Type"),
          body: await response.json(),
        };
      },
      stop,
      async [Symbol.asyncDispose]() {
        await stop();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
    };
    return registry;
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  throw new Error(`docker-registry did not start: ${lastError}`);
}
