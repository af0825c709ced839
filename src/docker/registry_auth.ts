/**
 * Registry credentials for a push, from the docker CLI's own file: the `auths` entries of
 * `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`), as `docker login` writes them
 * without a credential store. Credential helpers (`credsStore`, `credHelpers`) are not run.
 *
 * @module
 */
import { join } from "node:path";

/** What the engine's `X-Registry-Auth` header carries (`{}`: no credentials). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress?: string;
}

/** The hosts under which config.json keeps Docker Hub's credentials. */
const DOCKER_HUB = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/** The docker CLI's config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigFile(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string | undefined {
  const dir = env("DOCKER_CONFIG");
  if (dir) return join(dir, "config.json");
  const home = env("HOME");
  return home ? join(home, ".docker", "config.json") : undefined;
}

/**
 * The credentials config.json holds for a registry host (`host[:port]`), or `{}` when it holds
 * none (or there is no readable file). Keys are matched without their scheme and path
 * (`https://host/v1/` is `host`).
 */
export async function registryAuth(
  host: string,
  file: string | undefined = dockerConfigFile(),
): Promise<RegistryAuth> {
  if (!file) return {};
  let auths: Record<string, { auth?: string; identitytoken?: string }>;
  try {
    const config = JSON.parse(await Deno.readTextFile(file));
    auths = config?.auths ?? {};
    if (typeof auths !== "object") return {};
  } catch {
    return {};
  }
  const wanted = DOCKER_HUB.includes(host.toLowerCase()) ? DOCKER_HUB : [host.toLowerCase()];
  for (const [key, entry] of Object.entries(auths)) {
    const keyHost = key.replace(/^[a-z]+:\/\//i, "").split("/")[0]!.toLowerCase();
    if (!wanted.includes(keyHost) || typeof entry !== "object" || entry === null) continue;
    if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress: key };
    if (!entry.auth) continue;
    let decoded: string;
    try {
      decoded = new TextDecoder().decode(Uint8Array.from(atob(entry.auth), (c) => c.charCodeAt(0)));
    } catch {
      continue;
    }
    const colon = decoded.indexOf(":");
    if (colon === -1) continue;
    return {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      serveraddress: key,
    };
  }
  return {};
}
