/**
 * The backend a phase or command asked for (`backend`, `registry`, `kubernetes = {...}`,
 * `engines = [...]`), checked to answer before anything starts.
 *
 * @module
 */
import { connect } from "../docker/client.ts";
import { connectEngine, DEFAULT_ENGINE_CAPACITY, type EngineSetting } from "../docker/engines.ts";
import { UsageError } from "../errors.ts";
import type { BackendKind, SandboxBackend } from "./backend.ts";
import { DockerBackend } from "./docker_backend.ts";
import { EnginePool } from "./engine_pool.ts";
import type { KubeSettings } from "./kube_backend.ts";

/** What picks and configures a backend. */
export interface BackendSettings {
  /** @default "docker" */
  backend?: BackendKind;
  /** The registry the cluster pulls from (required with Kubernetes). */
  registry?: string;
  /** Kubernetes settings (`kubernetes = { ... }`). */
  kubernetes?: Omit<KubeSettings, "registry">;
  /** Several Docker engines instead of `DOCKER_HOST`'s one (Docker only). */
  engines?: EngineSetting[];
  /** How the engines read in messages: `engines` (a phase key) or `--engine` (a flag). */
  enginesLabel?: string;
}

/**
 * Opens and pings the backend. With Kubernetes, `registry` is required (the cluster pulls the
 * instance images and velora's runtime image from it). With `engines`, every engine must answer.
 *
 * @throws {UsageError} for settings that cannot work; a `VeloraError` naming where, when the
 *   backend does not answer.
 */
export async function openBackend(
  settings: BackendSettings,
  log: (line: string) => void = () => {},
): Promise<SandboxBackend> {
  if ((settings.backend ?? "docker") === "docker") {
    const backend = settings.engines?.length
      ? await enginePool(settings.engines, settings.enginesLabel ?? "engines", log)
      : new DockerBackend(connect());
    await backend.ping();
    return backend;
  }
  if (settings.engines?.length) {
    throw new UsageError(
      `${settings.enginesLabel ?? "engines"} is for backend = "docker" (Docker engines)`,
    );
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

async function enginePool(
  engines: EngineSetting[],
  label: string,
  log: (line: string) => void,
): Promise<EnginePool> {
  const pooled = await Promise.all(engines.map(async (setting, index) => ({
    backend: new DockerBackend(
      await connectEngine(setting, label === "engines" ? `engines[${index}]` : label),
      setting.url,
    ),
    capacity: setting.capacity ?? DEFAULT_ENGINE_CAPACITY,
  })));
  return new EnginePool(pooled, { log });
}
