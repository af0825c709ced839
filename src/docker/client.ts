/**
 * Connecting to the Docker engine. This folder is the only place that imports dockerode.
 *
 * @module
 */

// @ts-types="@types/dockerode"
import Docker from "dockerode";
import { VeloraError } from "../errors.ts";
import { messageOf } from "./_private.ts";

export type { Docker };

/** The unix socket used when `DOCKER_HOST` is not set. */
export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";

/** The Docker engine did not answer; one line (exit 1) naming the endpoint that was tried. */
export class DockerUnavailableError extends VeloraError {
  /** The endpoint tried, e.g. `unix:///var/run/docker.sock` or `tcp://10.0.0.5:2375`. */
  readonly endpoint: string;

  /** Builds the error for `endpoint`, keeping the underlying failure as `cause`. */
  constructor(endpoint: string, cause: unknown) {
    const hint = Deno.env.get("DOCKER_HOST")
      ? "from DOCKER_HOST"
      : "set DOCKER_HOST to use another";
    super(`Cannot reach the Docker engine at "${endpoint}" (${hint}): ${messageOf(cause)}`, {
      cause,
    });
    this.endpoint = endpoint;
  }
}

/**
 * The endpoint a client from {@linkcode connect} talks to: `DOCKER_HOST` when set (unix, tcp or
 * ssh), else `unix:///var/run/docker.sock`.
 */
export function dockerEndpoint(
  dockerHost: string | undefined = Deno.env.get("DOCKER_HOST"),
): string {
  return dockerHost ? dockerHost : `unix://${DEFAULT_DOCKER_SOCKET}`;
}

/**
 * A dockerode client for `DOCKER_HOST` (unix, tcp, ssh; `DOCKER_TLS_VERIFY` and
 * `DOCKER_CERT_PATH` as the docker CLI reads them), or the default unix socket. Connecting is
 * lazy: call {@linkcode ping} to check the engine answers.
 */
export function connect(): Docker {
  const dockerHost = Deno.env.get("DOCKER_HOST");
  // docker-modem would try ~/.docker/run/docker.sock first; pin the documented default.
  return dockerHost ? new Docker() : new Docker({ socketPath: DEFAULT_DOCKER_SOCKET });
}

/**
 * Checks that the Docker engine answers within `timeoutMs`.
 *
 * @throws {DockerUnavailableError} naming the socket or `DOCKER_HOST` that was tried.
 */
export async function ping(
  docker: Docker,
  timeoutMs = 15_000,
  endpoint: string = dockerEndpoint(),
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (error) {
    throw new DockerUnavailableError(endpoint, error);
  } finally {
    clearTimeout(timer);
  }
}
