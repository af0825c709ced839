/**
 * A warm, read-only Deno cache for the runtime server when velora runs from source: the server's
 * modules are transpiled once (in a throw-away container, so the cached paths are the ones
 * sandboxes see) and every sandbox mounts the result read-only. A cold start transpiles the
 * server in each container, which costs about 0.15 s of CPU per sandbox.
 *
 * Only source mode has one. A compiled executable has nothing to transpile. A bundle is plain
 * JavaScript: what would help it is V8's code cache (measured: the bundle's server starts in
 * 0.6 s cold, 0.2 s with a warm code cache), but Deno keeps that cache in SQLite databases that it
 * does not open from a read-only folder ("Failed creating cache db. Folder readonly"), so a shared
 * read-only cache cannot carry it; bundle sandboxes start cold, with a cache in their own `/tmp`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Docker } from "../docker/client.ts";
import { execIn, removeContainer, startContainer } from "../docker/containers.ts";
import { veloraLabels } from "../docker/labels.ts";
import { MOUNT_DIR, planInjection, type Runner } from "./inject.ts";

const CACHE_MOUNT = `${MOUNT_DIR}/cache`;

const pending = new Map<string, Promise<string | undefined>>();

/**
 * The host folder of a warm cache for this runner, built on first use with `image`; undefined
 * unless velora runs from source, or when it cannot be built (sandboxes then start cold).
 */
export function serverCache(
  docker: Docker,
  image: string,
  runner: Runner,
): Promise<string | undefined> {
  if (runner.mode !== "source" || !runner.serverDir) return Promise.resolve(undefined);
  const key = cacheKey(runner);
  let found = pending.get(key);
  if (!found) {
    found = build(docker, image, runner, key).catch(() => undefined);
    pending.set(key, found);
  }
  return found;
}

function cacheRoot(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") ?? join(Deno.env.get("HOME") ?? "/tmp", ".cache");
  return join(base, "velora", "runtime-server");
}

function cacheKey(runner: Runner): string {
  const hash = createHash("sha256").update(Deno.version.deno).update(runner.execPath);
  for (
    const entry of [...Deno.readDirSync(runner.serverDir!)].sort((a, b) => a.name < b.name ? -1 : 1)
  ) {
    if (!entry.isFile) continue;
    hash.update(entry.name).update(Deno.readFileSync(join(runner.serverDir!, entry.name)));
  }
  return hash.digest("hex").slice(0, 16);
}

async function build(docker: Docker, image: string, runner: Runner, key: string): Promise<string> {
  const dir = join(cacheRoot(), key);
  try {
    await Deno.stat(join(dir, ".ready"));
    return dir;
  } catch { /* not built yet */ }
  const temp = `${dir}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(temp, { recursive: true });
  const injection = planInjection(runner, { port: 1, workingDir: "/tmp" });
  const container = await startContainer(docker, {
    image,
    labels: veloraLabels({ run: `cache-${key}`, phase: "warm-cache" }),
    entrypoint: ["sleep"],
    cmd: ["300"],
    binds: [...injection.binds, `${temp}:${CACHE_MOUNT}`],
    network: "none",
    user: "0:0",
    // If velora dies while warming the cache, the container goes when its sleep ends.
    autoRemove: true,
  });
  try {
    // Loading main.ts with a bad port transpiles every module, then exits with a usage error.
    await execIn(container, [...injection.entrypoint, ...injection.launch, "not-a-port"], {
      env: { DENO_DIR: CACHE_MOUNT, DENO_NO_UPDATE_CHECK: "1" },
    });
    // The container wrote as root: make the files readable for any user.
    await execIn(container, ["chmod", "-R", "a+rX", CACHE_MOUNT]);
  } finally {
    await removeContainer(container);
  }
  await Deno.writeTextFile(join(temp, ".ready"), new Date().toISOString());
  try {
    await Deno.rename(temp, dir);
  } catch {
    await Deno.remove(temp, { recursive: true }); // another process built it first
  }
  return dir;
}
