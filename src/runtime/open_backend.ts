/**
 * The backend a phase or command asked for (`backend`, `registry`, `kubernetes = {...}`), checked
 * to answer before anything starts.
 *
 * @module
 */
import { connect } from "../docker/client.ts";
import { UsageError } from "../errors.ts";
import type { BackendKind, SandboxBackend } from "./backend.ts";
import { DockerBackend } from "./docker_backend.ts";
import type { KubeSettings } from "./kube_backend.ts";

/** What picks and configures a backend. */
export interface BackendSettings {
  /** @default "docker" */
  backend?: BackendKind;
  /** The registry the cluster pulls from (required with Kubernetes). */
  registry?: string;
  /** Kubernetes settings (`kubernetes = { ... }`). */
  kubernetes?: Omit<KubeSettings, "registry">;
}

/**
 * Opens and pings the backend. With Kubernetes, `registry` is required (the cluster pulls the
 * instance images and velora's runtime image from it).
 *
 * @throws {UsageError} for settings that cannot work; a `VeloraError` naming where, when the
 *   backend does not answer.
 */
export async function openBackend(
  settings: BackendSettings,
  log: (line: string) => void = () => {},
): Promise<SandboxBackend> {
  if ((settings.backend ?? "docker") === "docker") {
    const backend = new DockerBackend(connect());
    await backend.ping();
    return backend;
  }
  if (!settings.registry) {
    throw new UsageError(
      'backend = "kubernetes" needs `registry` (--registry): the registry the cluster pulls ' +
        "the instance images and velora's runtime image from",
    );
  }
  const { KubeBackend } = await import("./kube_backend.ts");
  const backend = await KubeBackend.open(
    { ...settings.kubernetes, registry: settings.registry },
    log,
  );
  await backend.ping();
  return backend;
}
