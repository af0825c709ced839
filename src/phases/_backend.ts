/**
 * The backend keys shared by the phases that start sandboxes or evaluation containers (`backend`,
 * `registry`, `kubernetes = { ... }`, `engines = [...]`), and opening the backend they name inside
 * a phase.
 *
 * @module
 */
import { z } from "zod";
import { connect } from "../docker/client.ts";
import {
  DEFAULT_ENGINE_CAPACITY,
  ENGINE_URL_FORMS,
  EngineUrlError,
  parseEngineUrl,
} from "../docker/engines.ts";
import { type JitImages, jitImages } from "../images/jit.ts";
import { PhaseFailedError, UsageError, VeloraError } from "../errors.ts";
import type { PhaseContext } from "../pipeline/phase.ts";
import { BACKEND_KINDS, type SandboxBackend } from "../runtime/backend.ts";
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

/** One engine of the `engines` array. */
export const engineSchema = z.strictObject({
  url: z.string().describe(ENGINE_URL_FORMS),
  capacity: z.number().int().positive().default(DEFAULT_ENGINE_CAPACITY).describe(
    "Sandboxes or containers it runs at once",
  ),
  tls: z.strictObject({
    ca: z.string().describe("CA certificate file"),
    cert: z.string().describe("Client certificate file"),
    key: z.string().describe("Client key file"),
  }).optional().describe("TLS certificate files (tcp engines)"),
}).superRefine((engine, ctx) => {
  try {
    const address = parseEngineUrl(engine.url);
    if (engine.tls && address.protocol !== "tcp") {
      ctx.addIssue({ code: "custom", path: ["tls"], message: "only for tcp:// engines" });
    }
  } catch (error) {
    if (!(error instanceof EngineUrlError)) throw error;
    ctx.addIssue({ code: "custom", path: ["url"], message: error.reason });
  }
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
  engines: z.array(engineSchema).min(1).optional().describe(
    "Several Docker engines instead of DOCKER_HOST: [{ url, capacity, tls }] (docker)",
  ),
};

/** The values of {@linkcode backendKeys}. */
export interface BackendParams {
  backend: z.infer<typeof backendKeys.backend>;
  registry?: string | undefined;
  kubernetes?: z.infer<typeof kubernetesSchema> | undefined;
  engines?: z.infer<typeof engineSchema>[] | undefined;
}

/**
 * The rules between the keys, for a phase schema's `superRefine`: Kubernetes needs a registry;
 * `engines` are Docker's.
 */
export function refineBackend(params: BackendParams, ctx: z.RefinementCtx): void {
  if (params.engines && params.backend !== "docker") {
    ctx.addIssue({
      code: "custom",
      path: ["engines"],
      message: 'only with `backend` = "docker" (the cluster places the pods)',
    });
  }
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
 * With Kubernetes or `engines`, the second ^C removes this process's pods or containers there (the
 * command's own cleanup covers the default engine).
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
      ...(params.engines
        ? {
          engines: params.engines.map(({ url, capacity, tls }) => ({
            url,
            capacity,
            ...(tls ? { tls } : {}),
          })),
        }
        : {}),
    }, ctx.log);
  } catch (error) {
    if (error instanceof UsageError || !(error instanceof VeloraError)) throw error;
    throw new PhaseFailedError(error.message, { cause: error });
  }
  if (backend.kind !== "docker" || params.engines) ctx.onStopNow?.(() => backend.reapOwned());
  return backend;
}

/**
 * The run's per-instance image loading (`load = "per-instance"`), which only the Docker backend
 * with one engine has: a cluster pulls from the registry, so with Kubernetes such a run fails at
 * once, and so it does with `engines` (the images would load into the default engine only).
 */
export async function instanceImages(
  params: Pick<BackendParams, "backend" | "engines">,
  ctx: PhaseContext,
  dataset: string,
): Promise<JitImages> {
  const jit = await jitImages(ctx.runDir, connect(), dataset, ctx.log, ctx.signal, ctx);
  if (jit.active && (params.backend !== "docker" || params.engines)) {
    await jit[Symbol.asyncDispose]();
    throw new PhaseFailedError(
      params.engines
        ? 'load = "per-instance" needs one Docker engine: with `engines`, load the images into ' +
          "each engine first"
        : 'load = "per-instance" needs backend = "docker": with Kubernetes, load the images once ' +
          "with a `registry` so the cluster pulls them",
    );
  }
  return jit;
}
