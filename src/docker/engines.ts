/**
 * Docker engines named by URL (the `engines` key, `--engine`), each as its own dockerode client:
 * `unix:///path`, `tcp://host[:port]` (TLS with certificate files) and `ssh://[user@]host[:port]`
 * (docker-modem runs `docker system dial-stdio` on the host, authenticating with the ssh agent).
 * Unlike {@linkcode connect}, nothing comes from `DOCKER_HOST`.
 *
 * @module
 */
import { join } from "node:path";
// @ts-types="@types/dockerode"
import Docker from "dockerode";
import { UsageError } from "../errors.ts";

/** Sandboxes or boxes an engine runs at once unless its `capacity` says otherwise. */
export const DEFAULT_ENGINE_CAPACITY = 4;

/** The URL forms, for messages and help. */
export const ENGINE_URL_FORMS = "unix:///path, tcp://host[:port] or ssh://[user@]host[:port]";

/** Where an engine listens. */
export type EngineAddress =
  | { protocol: "unix"; socketPath: string }
  | { protocol: "tcp"; host: string; port?: number }
  | { protocol: "ssh"; host: string; port: number; username?: string };

/** Certificate files of a TLS engine (docker's `--tlscacert`, `--tlscert`, `--tlskey`). */
export interface EngineTlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** One engine of the `engines` key. */
export interface EngineSetting {
  url: string;
  /** Sandboxes or boxes at once. @default DEFAULT_ENGINE_CAPACITY */
  capacity?: number;
  /** Certificate files (tcp only); without them `DOCKER_TLS_VERIFY=1` reads `DOCKER_CERT_PATH`. */
  tls?: EngineTlsFiles;
}

/** An engine URL that cannot work; `reason` is the message without the URL. */
export class EngineUrlError extends UsageError {
  constructor(readonly url: string, readonly reason: string) {
    super(`engine URL "${url}": ${reason}`);
  }
}

/**
 * Reads an engine URL.
 *
 * @throws {EngineUrlError} naming the URL and the forms that work.
 */
export function parseEngineUrl(url: string): EngineAddress {
  const bad = (why: string) => new EngineUrlError(url, `${why} (expected ${ENGINE_URL_FORMS})`);
  const scheme = /^([a-z]+):\/\//.exec(url)?.[1];
  if (scheme === "unix") {
    const socketPath = url.slice("unix://".length);
    if (!socketPath.startsWith("/")) throw bad("the socket path must be absolute");
    return { protocol: "unix", socketPath };
  }
  if (scheme !== "tcp" && scheme !== "ssh") throw bad("unknown scheme");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad("not a URL");
  }
  if (!parsed.hostname) throw bad("no host");
  if (parsed.password) throw bad("no passwords in URLs: ssh authenticates with the ssh agent");
  if ((parsed.pathname !== "" && parsed.pathname !== "/") || parsed.search || parsed.hash) {
    throw bad("no path or query");
  }
  const port = parsed.port ? Number(parsed.port) : undefined;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1"); // an IPv6 address without brackets
  if (scheme === "tcp") {
    if (parsed.username) throw bad("no user name with tcp");
    return { protocol: "tcp", host, ...(port ? { port } : {}) };
  }
  return {
    protocol: "ssh",
    host,
    port: port ?? 22,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
  };
}

/**
 * A dockerode client for one engine. A tcp engine speaks TLS with `setting.tls`'s files, or, when
 * `DOCKER_TLS_VERIFY=1`, with `ca.pem`, `cert.pem` and `key.pem` of `DOCKER_CERT_PATH` (default
 * `~/.docker`), as the docker CLI does; its port defaults to 2376 with TLS, else 2375. Connecting
 * is lazy: ping it to check it answers.
 *
 * @throws {UsageError} for a bad URL, a certificate file that cannot be read, `tls` on an engine
 *   that is not tcp, or an ssh engine without an ssh agent.
 */
export async function connectEngine(
  setting: EngineSetting,
  /** Where the setting comes from, for messages: `engines[1]` or `--engine`. */
  label: string,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<Docker> {
  let address: EngineAddress;
  try {
    address = parseEngineUrl(setting.url);
  } catch (error) {
    throw new UsageError(`${label}: ${(error as Error).message}`);
  }
  if (setting.tls && address.protocol !== "tcp") {
    throw new UsageError(`${label}: tls is for tcp:// engines only`);
  }
  switch (address.protocol) {
    case "unix":
      return client({ socketPath: address.socketPath, protocol: "http" });
    case "tcp": {
      const tls = setting.tls
        ? await readTls(setting.tls, (key) => `${label}.tls.${key}`)
        : env("DOCKER_TLS_VERIFY") === "1"
        ? await readTls(certPathFiles(env), () =>
          `${label}: DOCKER_TLS_VERIFY=1 (DOCKER_CERT_PATH)`)
        : undefined;
      return client({
        host: address.host,
        port: address.port ?? (tls ? 2376 : 2375),
        protocol: tls ? "https" : "http",
        ...tls,
      });
    }
    case "ssh": {
      const agent = env("SSH_AUTH_SOCK");
      if (!agent) {
        throw new UsageError(
          `${label}: ssh engines authenticate with the ssh agent, and SSH_AUTH_SOCK is not set ` +
            "(start one with `eval $(ssh-agent)` and `ssh-add`)",
        );
      }
      return client({
        protocol: "ssh",
        host: address.host,
        port: address.port,
        ...(address.username ? { username: address.username } : {}),
        sshOptions: { agent },
      });
    }
  }
}

function certPathFiles(env: (name: string) => string | undefined): EngineTlsFiles {
  const dir = env("DOCKER_CERT_PATH") ?? join(env("HOME") ?? "", ".docker");
  return { ca: join(dir, "ca.pem"), cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
}

/** What docker-modem reads from the environment whatever it is given (certificate files too). */
const MODEM_ENV = [
  "DOCKER_HOST",
  "DOCKER_TLS_VERIFY",
  "DOCKER_CERT_PATH",
  "DOCKER_CLIENT_TIMEOUT",
  "DOCKER_PATH_PREFIX",
];

/** A client built with the environment's Docker settings hidden (the constructor is synchronous). */
function client(options: Docker.DockerOptions): Docker {
  const saved = MODEM_ENV.map((name) => [name, Deno.env.get(name)] as const);
  for (const [name] of saved) Deno.env.delete(name);
  try {
    return new Docker(options);
  } finally {
    for (const [name, value] of saved) if (value !== undefined) Deno.env.set(name, value);
  }
}

async function readTls(files: EngineTlsFiles, where: (key: keyof EngineTlsFiles) => string) {
  const read = async (key: keyof EngineTlsFiles) => {
    try {
      return await Deno.readTextFile(files[key]);
    } catch (error) {
      throw new UsageError(
        `${where(key)}: cannot read "${files[key]}": ${(error as Error).message}`,
      );
    }
  };
  return { ca: await read("ca"), cert: await read("cert"), key: await read("key") };
}
