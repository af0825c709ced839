/**
 * `--backend`, `--registry`, `--namespace`, `--kube-context`, `--kubeconfig` and `--engine` of the
 * commands that start sandboxes or evaluation containers (infer, evaluate, validate, derive): as a
 * phase table's keys, or as an open backend for the commands that are not phases.
 *
 * @module
 */
import { type EngineSetting, parseEngineUrl } from "../docker/engines.ts";
import { UsageError } from "../errors.ts";
import { parseRegistry } from "../registry/image_ref.ts";
import type { SandboxBackend } from "../runtime/backend.ts";
import { openBackend } from "../runtime/open_backend.ts";

/** The flags, as commander gives them. */
export interface BackendFlags {
  backend?: "docker" | "kubernetes";
  registry?: string;
  namespace?: string;
  kubeContext?: string;
  kubeconfig?: string;
  /** `--engine <url>[=<capacity>]`, repeated. */
  engine?: string[];
}

/** How the phase keys read as flags in messages. */
export const BACKEND_LABELS = { backend: "--backend", registry: "--registry", engines: "--engine" };

/** One `--engine` value: `<url>` or `<url>=<capacity>`. */
export function engineFlag(value: string): EngineSetting {
  const split = /^(.*)=(\d+)$/.exec(value);
  return split ? { url: split[1]!, capacity: Number(split[2]) } : { url: value };
}

/** The phase keys of the flags (`backend`, `registry`, `kubernetes`, `engines`). */
export function backendTable(flags: BackendFlags): Record<string, unknown> {
  const kubernetes = {
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(flags.kubeContext ? { context: flags.kubeContext } : {}),
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
  };
  return {
    backend: flags.backend,
    registry: flags.registry,
    kubernetes: Object.keys(kubernetes).length > 0 ? kubernetes : undefined,
    engines: flags.engine?.length ? flags.engine.map(engineFlag) : undefined,
  };
}

/** Opens the backend the flags name (for commands that are not phases). */
export function commandBackend(flags: BackendFlags): Promise<SandboxBackend> {
  if (flags.backend === "kubernetes" && !flags.registry) {
    throw new UsageError(
      "--backend kubernetes needs --registry <host:port>: the registry the cluster pulls images from",
    );
  }
  const engines = (flags.engine ?? []).map(engineFlag);
  if (engines.length > 0 && flags.backend === "kubernetes") {
    throw new UsageError("--engine is for --backend docker (the cluster places the pods)");
  }
  for (const engine of engines) {
    try {
      parseEngineUrl(engine.url);
    } catch (error) {
      throw new UsageError(`--engine: ${(error as Error).message}`);
    }
    if (engine.capacity === 0) throw new UsageError(`--engine "${engine.url}=0": capacity 0`);
  }
  return openBackend({
    ...(engines.length > 0 ? { engines, enginesLabel: "--engine" } : {}),
    backend: flags.backend ?? "docker",
    ...(flags.registry ? { registry: parseRegistry(flags.registry) } : {}),
    kubernetes: {
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.kubeContext ? { context: flags.kubeContext } : {}),
      ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    },
  }, (line) => console.error(line));
}
