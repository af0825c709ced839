/**
 * `--backend`, `--registry`, `--namespace`, `--kube-context` and `--kubeconfig` of the commands
 * that start sandboxes or evaluation containers (infer, evaluate, validate, derive): as a phase
 * table's keys, or as an open backend for the commands that are not phases.
 *
 * @module
 */
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
}

/** How the phase keys read as flags in messages. */
export const BACKEND_LABELS = { backend: "--backend", registry: "--registry" };

/** The phase keys of the flags (`backend`, `registry`, `kubernetes`). */
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
  };
}

/** Opens the backend the flags name (for commands that are not phases). */
export function commandBackend(flags: BackendFlags): Promise<SandboxBackend> {
  if (flags.backend === "kubernetes" && !flags.registry) {
    throw new UsageError(
      "--backend kubernetes needs --registry <host:port>: the registry the cluster pulls images from",
    );
  }
  return openBackend({
    backend: flags.backend ?? "docker",
    ...(flags.registry ? { registry: parseRegistry(flags.registry) } : {}),
    kubernetes: {
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.kubeContext ? { context: flags.kubeContext } : {}),
      ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    },
  }, (line) => console.error(line));
}
