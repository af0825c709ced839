/**
 * Connecting to a Kubernetes cluster. This folder is the only place that imports
 * `@kubernetes/client-node`; it is loaded on first use, so commands that never touch a cluster
 * do not pay for it.
 *
 * @module
 */
import type * as k8s from "@kubernetes/client-node";
import process from "node:process";
import { UsageError, VeloraError } from "../errors.ts";

export type { k8s };

/** Which cluster, and where in it. */
export interface KubeTarget {
  /** A kubeconfig file; default: `$KUBECONFIG`, else `~/.kube/config`. */
  kubeconfig?: string;
  /** A context of the kubeconfig; default: its current context. */
  context?: string;
  /** default: the context's namespace, else `default`. */
  namespace?: string;
}

/** A connection to one namespace of a cluster. */
export interface Kube {
  readonly lib: typeof k8s;
  readonly config: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly networking: k8s.NetworkingV1Api;
  readonly namespace: string;
  /** `<context>/<namespace> (<server>)`, for logs and errors. */
  readonly where: string;
}

/** The cluster did not answer, or refused velora; one line naming it. */
export class KubeUnavailableError extends VeloraError {}

let library: Promise<typeof k8s> | undefined;

/** The client library, loaded once (its dependencies' deprecation warnings kept off stderr). */
export function kubeLibrary(): Promise<typeof k8s> {
  process.noDeprecation = true;
  return library ??= import("@kubernetes/client-node");
}

/** Reads the kubeconfig and picks the context and namespace. Does not contact the cluster. */
export async function connectKube(target: KubeTarget = {}): Promise<Kube> {
  const lib = await kubeLibrary();
  const config = new lib.KubeConfig();
  const file = target.kubeconfig ?? Deno.env.get("KUBECONFIG")?.split(":")[0];
  try {
    if (file) config.loadFromFile(file);
    else config.loadFromDefault();
  } catch (error) {
    throw new UsageError(
      `Cannot read the kubeconfig${file ? ` "${file}"` : ""}: ${(error as Error).message}`,
    );
  }
  if (target.context) {
    if (!config.getContextObject(target.context)) {
      const known = config.getContexts().map((c) => c.name).join(", ") || "none";
      throw new UsageError(
        `kubernetes.context: "${target.context}" is not in the kubeconfig (contexts: ${known})`,
      );
    }
    config.setCurrentContext(target.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new UsageError(
      `The kubeconfig${file ? ` "${file}"` : ""} has no current cluster (set kubernetes.context)`,
    );
  }
  const namespace = target.namespace ??
    config.getContextObject(config.getCurrentContext())?.namespace ?? "default";
  return {
    lib,
    config,
    core: config.makeApiClient(lib.CoreV1Api),
    networking: config.makeApiClient(lib.NetworkingV1Api),
    namespace,
    where: `${config.getCurrentContext()}/${namespace} (${cluster.server})`,
  };
}

/** HTTP status of a failed API call, when it has one. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

/** One line for a failed API call: the server's own message when it sent a Status. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown })?.body;
  if (typeof body === "string") {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch { /* not JSON */ }
  }
  return (error as Error)?.message?.split("\n")[0] ?? String(error);
}

/**
 * Checks the cluster answers and the namespace exists.
 *
 * @throws {KubeUnavailableError} naming the context, namespace and server.
 */
export async function pingKube(kube: Kube, timeoutMs = 15_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([kube.core.readNamespace({ name: kube.namespace }), timeout]);
  } catch (error) {
    const status = apiStatus(error);
    const why = status === 404 ? `namespace "${kube.namespace}" does not exist` : apiMessage(error);
    throw new KubeUnavailableError(`Cannot use the Kubernetes cluster ${kube.where}: ${why}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}
