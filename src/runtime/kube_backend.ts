/**
 * The Kubernetes backend: each sandbox and each evaluation box is a pod of the unchanged instance
 * image (from the registry the cluster pulls from), in one namespace, labelled like velora's
 * containers. The runtime server gets into a sandbox pod through an init container of velora's
 * runtime image (runtime_image.ts), which copies velora's files into a volume the instance
 * container mounts at `/velora`. velora reaches the server through the API server only: each
 * connection is an exec of the same bash relay the Docker backend uses, so it works from a laptop
 * with a kubeconfig, with no Service, ingress or port on the node.
 *
 * Isolation: pods get no ServiceAccount token and no service links; `network = "none"` pods carry
 * `velora.network=none`, which the NetworkPolicy {@linkcode NO_NETWORK_POLICY} (created in the
 * namespace when missing) denies all ingress and egress, where the cluster's network plugin
 * enforces NetworkPolicies. `host` is refused. Process limits are the kubelet's (`podPidsLimit`).
 *
 * The dead man's switch is the server's own (`--owner-timeout`): without velora's heartbeats it
 * exits and the pod ends; the pods a killed run left are deleted by the next run's reap, by label.
 *
 * @module
 */
import {
  apiMessage,
  apiStatus,
  connectKube,
  type k8s,
  type Kube,
  type KubeTarget,
  pingKube,
} from "../kube/client.ts";
import { execInPod, openPodStream } from "../kube/exec.ts";
import {
  createPod,
  deletePod,
  deletePods,
  listLabelledPods,
  podState,
  waitForPod,
} from "../kube/pods.ts";
import {
  type ContainerPurpose,
  currentOwner,
  LABEL_HOST,
  LABEL_PID,
  LABEL_RUN,
  veloraLabels,
} from "../docker/labels.ts";
import { makeTar } from "../docker/put_files.ts";
import { DEFAULT_MEMORY_GB, gigabytes } from "../docker/containers.ts";
import { UsageError } from "../errors.ts";
import { withTimeout } from "../sleep.ts";
import { manifestExists, parseReference } from "../registry/client.ts";
import { registryImage } from "../registry/image_ref.ts";
import type { Box, BoxSpec, RunningSandbox, SandboxBackend } from "./backend.ts";
import { RuntimeClient } from "./client.ts";
import { currentRunner, MOUNT_DIR, planInjection, type Runner } from "./inject.ts";
import type { NetworkMode } from "./network.ts";
import { type ActionEvent, type Observation, runAction, type RunOptions } from "./protocol.ts";
import { execDialScript, ServerRelay } from "./relay.ts";
import { ensureRuntimeImage, type RuntimeImage } from "./runtime_image.ts";
import {
  ownerTimeoutSeconds,
  randomPort,
  RELAY_WAIT_SECONDS,
  type SandboxOptions,
  SandboxStartError,
  startHeartbeat,
} from "./sandbox.ts";

/** The Kubernetes settings of a phase (`kubernetes = { ... }`) plus its `registry`. */
export interface KubeSettings extends KubeTarget {
  /** Where the cluster pulls instance images and velora's runtime image from (`host[:port][/path]`). */
  registry: string;
  /** Pods only on nodes with these labels. */
  nodeSelector?: Record<string, string>;
  /** A Secret of type `kubernetes.io/dockerconfigjson` for pulling from the registry. */
  imagePullSecret?: string;
  /** Scheduling requests per pod. @default "100m" */
  cpuRequest?: string;
  /** @default "256Mi" */
  memoryRequest?: string;
}

/** The label of pods without a network, and the NetworkPolicy that isolates them. */
export const NO_NETWORK_LABEL = "velora.network";
export const NO_NETWORK_POLICY = "velora-no-network";

/** The container of a pod that runs the instance image. */
const MAIN = "main";
/** How long a pod may take to run: scheduling and pulling a multi-GB instance image included. */
const POD_START_TIMEOUT_MS = 900_000;
/** Where the init container writes velora's files (the volume the main container mounts). */
const INSTALL_TARGET = "/velora-install";

/** Sandboxes and boxes as pods of one namespace. */
export class KubeBackend implements SandboxBackend {
  readonly kind = "kubernetes";
  #runtime: Promise<RuntimeImage> | undefined;
  #policy: Promise<void> | undefined;

  private constructor(
    readonly kube: Kube,
    readonly settings: KubeSettings,
    readonly log: (line: string) => void,
    readonly runner: Runner,
  ) {}

  /** Reads the kubeconfig and picks the namespace (contacts nothing; see {@linkcode ping}). */
  static async open(
    settings: KubeSettings,
    log: (line: string) => void = () => {},
    runner: Runner = currentRunner(),
  ): Promise<KubeBackend> {
    return new KubeBackend(await connectKube(settings), settings, log, runner);
  }

  get where(): string {
    return `kubernetes ${this.kube.where}`;
  }

  ping(): Promise<void> {
    return pingKube(this.kube);
  }

  /** The name the cluster pulls `image` by. */
  imageName(image: string): string {
    return registryImage(this.settings.registry, image);
  }

  async imageExists(image: string): Promise<boolean> {
    const { repository, reference } = parseReference(this.imageName(image));
    try {
      return await manifestExists(repository, reference);
    } catch {
      return true; // the registry did not answer: the pod's pull says what is wrong
    }
  }

  missingImage(image: string): string {
    const registry = this.settings.registry;
    return `image "${image}" is not in the registry as "${this.imageName(image)}"; push it with ` +
      `\`velora images load <tar|s3://|https://> --registry ${registry}\` or a load-images phase ` +
      "with `registry`";
  }

  async startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
    const network = refuseHost(options.network ?? "bridge");
    const runtime = await this.#runtimeImage();
    const port = randomPort();
    const sessionKey = crypto.randomUUID().replaceAll("-", "");
    const ownerTimeout = options.ownerTimeoutSeconds ?? ownerTimeoutSeconds();
    const injection = planInjection(this.runner, {
      port,
      workingDir: options.workingDir ?? "/workspace",
      ownerTimeout,
    });
    const purpose = {
      run: options.run,
      ...(options.instance === undefined ? {} : { instance: options.instance }),
      ...(options.phase === undefined ? {} : { phase: options.phase }),
    };
    const pod = this.#pod(purpose, network, {
      image: this.imageName(options.image),
      command: injection.entrypoint,
      args: injection.cmd,
      env: {
        ...options.env,
        ...injection.env,
        // The init container's run of the server left a warm module cache there.
        ...(this.runner.mode === "compiled" ? {} : { DENO_DIR: `${MOUNT_DIR}/.deno` }),
        SESSION_API_KEY: sessionKey,
      },
      limits: options,
      install: runtime,
    });
    let name: string | undefined;
    let relay: ServerRelay | undefined;
    try {
      name = await this.#startPod(pod, network, options.readyTimeoutMs ?? POD_START_TIMEOUT_MS);
      const target = { pod: name, container: MAIN };
      relay = new ServerRelay(
        (wait) => openPodStream(this.kube, target, execDialScript(port, wait)),
        RELAY_WAIT_SECONDS,
      );
      const client = new RuntimeClient(relay.url, sessionKey);
      await untilAlive(client, name, options.readyTimeoutMs ?? 120_000);
      relay.serverReady();
      return new PodSandbox(this.kube, name, client, relay, ownerTimeout);
    } catch (error) {
      relay?.close();
      if (name !== undefined) await deletePod(this.kube, name).catch(() => {});
      throw new SandboxStartError(
        `Sandbox pod for image "${options.image}" did not start: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async startBox(spec: BoxSpec): Promise<Box> {
    const network = refuseHost(spec.network);
    const pod = this.#pod(spec.purpose, network, {
      image: this.imageName(spec.image),
      command: ["sleep"],
      args: ["infinity"],
      env: {},
      limits: spec,
    });
    const name = await this.#startPod(pod, network, POD_START_TIMEOUT_MS);
    const target = { pod: name, container: MAIN };
    return {
      id: name,
      exec: (cmd) => execInPod(this.kube, target, cmd),
      putFiles: async (files) => {
        const tar = makeTar(files);
        const result = await execInPod(this.kube, target, ["tar", "-x", "-C", "/", "-f", "-"], tar);
        if (result.exitCode !== 0) {
          throw new Error(
            `writing files into pod ${name} failed (tar exited with ${result.exitCode}): ` +
              result.stderr.trim().split("\n")[0],
          );
        }
      },
      state: () => podState(this.kube, name, MAIN),
      remove: () => deletePod(this.kube, name),
    };
  }

  sharedNetworks(): undefined {
    return undefined;
  }

  reap(run: string): Promise<string[]> {
    return deletePods(this.kube, `${LABEL_RUN}=${labelValue(run)}`);
  }

  reapOwned(): Promise<string[]> {
    const owner = currentOwner();
    return deletePods(
      this.kube,
      `${LABEL_PID}=${owner.pid},${LABEL_HOST}=${labelValue(owner.host)}`,
    );
  }

  /**
   * Deletes the pods of `runs` that velora processes of this host started and that are gone
   * (`alive` says, from the `velora.pid` label and the pod's creation time); their names and runs.
   */
  async reapDeadOwners(
    alive: (pid: number, createdSeconds: number) => Promise<boolean>,
    runs: (run: string) => boolean = () => true,
  ): Promise<{ name: string; run: string }[]> {
    const host = labelValue(currentOwner().host);
    const reaped: { name: string; run: string }[] = [];
    for (const pod of await listLabelledPods(this.kube, `${LABEL_HOST}=${host},${LABEL_RUN}`)) {
      const pid = Number(pod.labels[LABEL_PID]);
      const run = pod.annotations["velora/run"] ?? pod.labels[LABEL_RUN] ?? "";
      if (!Number.isSafeInteger(pid) || pid <= 0 || !runs(run)) continue;
      if (await alive(pid, pod.created)) continue;
      await deletePod(this.kube, pod.name);
      reaped.push({ name: pod.name, run });
    }
    return reaped;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Creates the pod (and, for `none`, the NetworkPolicy that isolates it) and waits until its main
   * container runs; a pod that does not start is deleted. Its name.
   */
  async #startPod(pod: k8s.V1Pod, network: NetworkMode, timeoutMs: number): Promise<string> {
    if (network === "none") await this.#ensureNoNetworkPolicy();
    const name = await createPod(this.kube, pod);
    try {
      await waitForPod(this.kube, name, MAIN, timeoutMs);
    } catch (error) {
      await deletePod(this.kube, name).catch(() => {});
      throw error;
    }
    return name;
  }

  #runtimeImage(): Promise<RuntimeImage> {
    this.#runtime ??= ensureRuntimeImage(this.settings.registry, this.runner, this.log).catch(
      (error) => {
        this.#runtime = undefined;
        throw error;
      },
    );
    return this.#runtime;
  }

  /** Creates {@linkcode NO_NETWORK_POLICY} once per process when the namespace lacks it. */
  #ensureNoNetworkPolicy(): Promise<void> {
    this.#policy ??= (async () => {
      try {
        await this.kube.networking.createNamespacedNetworkPolicy({
          namespace: this.kube.namespace,
          body: {
            metadata: {
              name: NO_NETWORK_POLICY,
              labels: { "app.kubernetes.io/managed-by": "velora" },
            },
            spec: {
              podSelector: { matchLabels: { [NO_NETWORK_LABEL]: "none" } },
              policyTypes: ["Ingress", "Egress"],
            },
          },
        });
      } catch (error) {
        const status = apiStatus(error);
        if (status === 409) return; // it exists
        this.log(
          `could not create the NetworkPolicy ${NO_NETWORK_POLICY} in ${this.kube.namespace} ` +
            `(${apiMessage(error)}): pods with network "none" are isolated only if it exists`,
        );
      }
    })();
    return this.#policy;
  }

  #pod(
    purpose: ContainerPurpose,
    network: Exclude<NetworkMode, "host">,
    main: {
      image: string;
      command: string[];
      args: string[];
      env: Record<string, string>;
      limits: { memoryBytes?: number; cpus?: number };
      install?: RuntimeImage;
    },
  ): k8s.V1Pod {
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(veloraLabels(purpose))) {
      labels[key] = labelValue(value);
    }
    if (network === "none") labels[NO_NETWORK_LABEL] = "none";
    const memory = main.limits.memoryBytes ?? gigabytes(DEFAULT_MEMORY_GB);
    const limits: Record<string, string> = {};
    if (memory > 0) limits.memory = String(memory);
    if (main.limits.cpus) limits.cpu = String(main.limits.cpus);
    const requests: Record<string, string> = {
      cpu: this.settings.cpuRequest ?? "100m",
      memory: this.settings.memoryRequest ?? "256Mi",
    };
    const volume = { name: "velora", emptyDir: {} };
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `velora-${labelValue(purpose.phase ?? (main.install ? "sandbox" : "box"))}-`,
        labels,
        annotations: {
          "velora/run": purpose.run,
          ...(purpose.instance === undefined ? {} : { "velora/instance": purpose.instance }),
        },
      },
      spec: {
        restartPolicy: "Never",
        terminationGracePeriodSeconds: 0,
        // The pause process becomes PID 1 of the pod and reaps orphans (Docker's --init).
        shareProcessNamespace: true,
        // The model must not get the cluster's credentials.
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        ...(this.settings.nodeSelector ? { nodeSelector: this.settings.nodeSelector } : {}),
        ...(this.settings.imagePullSecret
          ? { imagePullSecrets: [{ name: this.settings.imagePullSecret }] }
          : {}),
        ...(main.install
          ? {
            volumes: [volume],
            initContainers: [{
              name: "velora-install",
              image: main.install.ref,
              command: main.install.installCommand(INSTALL_TARGET),
              env: [{ name: "DENO_DIR", value: `${INSTALL_TARGET}/.deno` }, {
                name: "NO_COLOR",
                value: "1",
              }],
              volumeMounts: [{ name: volume.name, mountPath: INSTALL_TARGET }],
              resources: { requests },
            }],
          }
          : {}),
        containers: [{
          name: MAIN,
          image: main.image,
          command: main.command,
          args: main.args,
          env: Object.entries(main.env).map(([name, value]) => ({ name, value })),
          securityContext: { runAsUser: 0, runAsGroup: 0 },
          resources: { limits, requests },
          ...(main.install
            ? { volumeMounts: [{ name: volume.name, mountPath: MOUNT_DIR, readOnly: true }] }
            : {}),
        }],
      },
    };
  }
}

/** A sandbox pod, reached through its relay. */
class PodSandbox implements RunningSandbox {
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(
    readonly kube: Kube,
    readonly pod: string,
    readonly client: RuntimeClient,
    readonly relay: ServerRelay,
    ownerTimeout: number,
  ) {
    if (ownerTimeout > 0) this.#heartbeat = startHeartbeat(client, ownerTimeout);
  }

  get url(): string {
    return this.relay.url;
  }

  run(command: string, options: RunOptions = {}): Promise<Observation> {
    return this.client.executeAction(runAction(command, options));
  }

  execute(action: ActionEvent): Promise<Observation> {
    return this.client.executeAction(action);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.relay.close();
    await deletePod(this.kube, this.pod);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function untilAlive(client: RuntimeClient, pod: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50;; delay = Math.min(delay * 1.5, 500)) {
    const wait = Math.max(1, Math.min(deadline - Date.now(), (RELAY_WAIT_SECONDS + 5) * 1000));
    if (await withTimeout(wait, (signal) => client.alive(signal))) return;
    if (Date.now() > deadline) {
      throw new Error(`the runtime server in pod ${pod} did not answer in ${timeoutMs / 1000}s`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function refuseHost(network: NetworkMode): Exclude<NetworkMode, "host"> {
  if (network === "host") {
    throw new UsageError(
      'network = "host" is not available with backend = "kubernetes" (use "bridge" or "none")',
    );
  }
  return network;
}

/**
 * A Kubernetes label value for `value`: at most 63 characters of `[A-Za-z0-9._-]`, starting and
 * ending with a letter or digit (the full value is in the pod's annotations).
 */
export function labelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
  return cleaned || "x";
}
