/**
 * Where sandboxes and evaluation containers run: the one seam between the operations (infer,
 * evaluate, validate, derive, `velora sandbox`) and an engine. A backend starts a sandbox from an
 * unchanged instance image and reaches its runtime server, starts a bare "box" for an evaluation
 * (exec, files in, state), and removes what a run or this process left, by label.
 *
 * Backends: Docker (`docker_backend.ts`, one engine; `engine_pool.ts`, several) and Kubernetes
 * (`kube_backend.ts`, a pod per sandbox or box).
 *
 * @module
 */
import type { ContainerState, ExecOptions, ExecResult } from "../docker/containers.ts";
import type { ContainerPurpose } from "../docker/labels.ts";
import type { FileToPut } from "../docker/put_files.ts";
import type { RuntimeClient } from "./client.ts";
import type { NetworkMode, SandboxNetworks } from "./network.ts";
import type { ActionEvent, Observation, RunOptions } from "./protocol.ts";
import type { Runner } from "./inject.ts";

/** The backends a phase's `backend` key names. */
export const BACKEND_KINDS = ["docker", "kubernetes"] as const;

/** A backend's name. */
export type BackendKind = typeof BACKEND_KINDS[number];

/** Options of {@linkcode SandboxBackend.startSandbox} (Docker's `Sandbox.start`). */
export interface SandboxOptions {
  /** The instance image (used unchanged). */
  image: string;
  /** Value of the `velora.run` label: {@linkcode SandboxBackend.reap} finds leftovers by it. */
  run: string;
  /** Value of the `velora.instance` label. */
  instance?: string;
  /** Value of the `velora.phase` label. */
  phase?: string;
  /** The server's working directory (created if missing). @default "/workspace" */
  workingDir?: string;
  /** Memory limit in bytes; 0: none. @default gigabytes(DEFAULT_MEMORY_GB) */
  memoryBytes?: number;
  /** CPU limit in CPUs. */
  cpus?: number;
  /** Process limit; 0: none. @default DEFAULT_PIDS_LIMIT */
  pidsLimit?: number;
  /** The sandbox's network. @default DEFAULT_SANDBOX_NETWORK ("bridge") */
  network?: NetworkMode;
  /**
   * Join a network namespace of these (one per mode, shared by the run's sandboxes) instead of
   * creating one: saves about 0.1 s per start. Not used with `host`.
   */
  networks?: SandboxNetworks;
  /** Extra environment variables for the container. */
  env?: Record<string, string>;
  /** How long to wait for `/alive`. @default 120000 */
  readyTimeoutMs?: number;
  /** How velora runs (decides what is mounted). @default currentRunner() */
  runner?: Runner;
  /**
   * Seconds without a heartbeat or request from this process after which the sandbox stops and
   * its container is removed; 0 turns the switch off. @default ownerTimeoutSeconds()
   */
  ownerTimeoutSeconds?: number;
}

/** A started sandbox: its runtime server, reached from this process. */
export interface RunningSandbox extends AsyncDisposable {
  /** The runtime server's client (session key included). */
  readonly client: RuntimeClient;
  /** The server's address on this machine. */
  readonly url: string;
  /** The engine it runs on, where the backend has several (for logs). */
  readonly where?: string;
  /** Runs a bash command in the sandbox's persistent session. */
  run(command: string, options?: RunOptions): Promise<Observation>;
  /** Runs any action. */
  execute(action: ActionEvent): Promise<Observation>;
  /** Stops it and removes what it ran in. Safe to call twice. */
  close(): Promise<void>;
}

/** What {@linkcode SandboxBackend.startBox} starts: an instance image idling, for `exec`. */
export interface BoxSpec {
  /** The instance image, as the dataset names it. */
  image: string;
  /** Its labels' purpose (run, instance, phase). */
  purpose: ContainerPurpose;
  network: NetworkMode;
  /** Memory limit, bytes (0: none). */
  memoryBytes?: number;
  cpus?: number;
  /** Process limit (0: none; where the backend can set one). */
  pidsLimit?: number;
}

/** A running box (an evaluation container or pod). */
export interface Box {
  /** The container's or pod's id, for logs. */
  readonly id: string;
  /** Runs `cmd` (no shell) and waits for it; stdout and stderr apart. */
  exec(cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Writes files (parent folders created). */
  putFiles(files: readonly FileToPut[]): Promise<void>;
  /** Its state; null once it no longer exists. */
  state(): Promise<ContainerState | null>;
  /** Removes it, running or not. Safe to call twice. */
  remove(): Promise<void>;
}

/** A place to run sandboxes and boxes. */
export interface SandboxBackend {
  readonly kind: BackendKind;
  /** Where it runs, for logs and errors (an engine's endpoint, a cluster's context/namespace). */
  readonly where: string;
  /** Throws a one-line `VeloraError` naming {@linkcode where} when it does not answer. */
  ping(): Promise<void>;
  /** Whether `image` (as the dataset names it) can be started here. */
  imageExists(image: string): Promise<boolean>;
  /** Why `image` cannot be started and how to make it available, for an error message. */
  missingImage(image: string): string;
  /** Starts a sandbox and waits until its server answers; a failed start leaves nothing. */
  startSandbox(options: SandboxOptions): Promise<RunningSandbox>;
  /** Starts a box; a failed start leaves nothing. */
  startBox(spec: BoxSpec): Promise<Box>;
  /** Network namespaces a run's sandboxes can share, where the backend has them. */
  sharedNetworks(run: string): SandboxNetworks | undefined;
  /** Removes everything labelled with run `run` (what a killed run left); their ids. */
  reap(run: string): Promise<string[]>;
  /** Removes everything this process started (the second ^C); their ids. */
  reapOwned(): Promise<string[]>;
  /** Releases connections. */
  close(): Promise<void>;
}
