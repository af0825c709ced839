/**
 * The backend keys shared by the phases that start sandboxes or evaluation containers (`backend`,
 * `registry`, `kubernetes = { ... }`), and opening the backend they name inside a phase.
 *
 * @module
 */
import { z } from "zod";
import { connect } from "../docker/client.ts";
import { type JitImages, jitImages } from "../images/jit.ts";
import { PhaseFailedError, UsageError, VeloraError } from "../errors.ts";
import type { PhaseContext } from "../pipeline/phase.ts";
import { BACKEND_KINDS, type BackendKind, type SandboxBackend } from "../runtime/backend.ts";
import { registryProblem } from "../registry/image_ref.ts";
import { openBackend } from "../runtime/open_backend.ts";

/** The `registry` key (`host[:port][/path]`), of load-images and of the sandbox phases. */
export const registrySetting = z.string().min(1).superRefine((value, ctx) => {
  const problem = registryProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** The `kubernetes` table. */
export const kubernetesSchema = z.strictObject({
  kubeconfig: z.string().optional().describe(
    "kubeconfig file (default: $KUBECONFIG, ~/.kube/config)",
  ),
  context: z.string().optional().describe("kubeconfig context (default: its current one)"),
  namespace: z.string().optional().describe("Namespace (default: the context's, else default)"),
  node_selector: z.record(z.string(), z.string()).optional().describe("Node labels pods need"),
  image_pull_secret: z.string().optional().describe("Secret for pulling from the registry"),
  cpu_request: z.string().optional().describe('CPU request per pod (default "100m")'),
  memory_request: z.string().optional().describe('Memory request per pod (default "256Mi")'),
});

/** The keys, spread into a phase's schema. */
export const backendKeys = {
  backend: z.enum(BACKEND_KINDS).default("docker").describe(
    "Where sandboxes and containers run: docker or kubernetes",
  ),
  registry: registrySetting.optional().describe(
    "Registry the cluster pulls images from (kubernetes; instance images are named under it)",
  ),
  kubernetes: kubernetesSchema.optional().describe(
    "Kubernetes settings: kubeconfig, context, namespace, node_selector, image_pull_secret, ...",
  ),
};

/** The values of {@linkcode backendKeys}. */
export interface BackendParams {
  backend: z.infer<typeof backendKeys.backend>;
  registry?: string | undefined;
  kubernetes?: z.infer<typeof kubernetesSchema> | undefined;
}

/** The rule between the keys, for a phase schema's `superRefine`: Kubernetes needs a registry. */
export function refineBackend(params: BackendParams, ctx: z.RefinementCtx): void {
  if (params.backend === "kubernetes" && !params.registry) {
    ctx.addIssue({
      code: "custom",
      path: ["registry"],
      message:
        'required with `backend` = "kubernetes" (the registry the cluster pulls images from)',
    });
  }
}

/**
 * Opens the phase's backend; a backend that does not answer fails the phase with its one line.
 * With Kubernetes, the second ^C deletes this process's pods.
 */
export async function phaseBackend(
  params: BackendParams,
  ctx: Pick<PhaseContext, "log" | "onStopNow">,
): Promise<SandboxBackend> {
  const k8s = params.kubernetes;
  let backend: SandboxBackend;
  try {
    backend = await openBackend({
      backend: params.backend,
      ...(params.registry ? { registry: params.registry } : {}),
      ...(k8s
        ? {
          kubernetes: {
            ...(k8s.kubeconfig ? { kubeconfig: k8s.kubeconfig } : {}),
            ...(k8s.context ? { context: k8s.context } : {}),
            ...(k8s.namespace ? { namespace: k8s.namespace } : {}),
            ...(k8s.node_selector ? { nodeSelector: k8s.node_selector } : {}),
            ...(k8s.image_pull_secret ? { imagePullSecret: k8s.image_pull_secret } : {}),
            ...(k8s.cpu_request ? { cpuRequest: k8s.cpu_request } : {}),
            ...(k8s.memory_request ? { memoryRequest: k8s.memory_request } : {}),
          },
        }
        : {}),
    }, ctx.log);
  } catch (error) {
    if (error instanceof UsageError || !(error instanceof VeloraError)) throw error;
    throw new PhaseFailedError(error.message, { cause: error });
  }
  if (backend.kind !== "docker") ctx.onStopNow?.(() => backend.reapOwned());
  return backend;
}

/**
 * The run's per-instance image loading (`load = "per-instance"`), which only the Docker backend
 * has: a cluster pulls from the registry, so with Kubernetes such a run fails at once.
 */
export async function instanceImages(
  backend: BackendKind,
  ctx: PhaseContext,
  dataset: string,
): Promise<JitImages> {
  const jit = await jitImages(ctx.runDir, connect(), dataset, ctx.log, ctx.signal, ctx);
  if (jit.active && backend !== "docker") {
    await jit[Symbol.asyncDispose]();
    throw new PhaseFailedError(
      'load = "per-instance" needs backend = "docker": with Kubernetes, load the images once ' +
        "with a `registry` so the cluster pulls them",
    );
  }
  return jit;
}
