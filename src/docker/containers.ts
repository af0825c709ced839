/**
 * Container lifecycle: create and start with labels and limits, follow output and exit, exec,
 * inspect state, remove, reap by label.
 *
 * @module
 */

import { Writable } from "node:stream";
import type { Docker } from "./client.ts";
import {
  type ContainerOwner,
  currentOwner,
  LABEL_HOST,
  LABEL_PID,
  LABEL_RUN,
  labelFilter,
} from "./labels.ts";
import { concatBytes, statusCodeOf } from "./_private.ts";
import { sleep } from "../sleep.ts";

/** A dockerode container handle. */
export type Container = Docker.Container;

/** What {@linkcode startContainer} creates. */
export interface ContainerSpec {
  /** Image tag or id; it must exist locally (nothing is pulled). */
  image: string;
  /** Labels, normally from `veloraLabels()`; they make the container findable by {@linkcode reap}. */
  labels: Record<string, string>;
  /** Container name; Docker picks one when absent. */
  name?: string;
  /** Command; the image's `CMD` when absent. */
  cmd?: string[];
  /** Entrypoint; the image's when absent. */
  entrypoint?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory inside the container. */
  workingDir?: string;
  /** User (`name`, `uid` or `uid:gid`). */
  user?: string;
  /**
   * Network mode: `none`, `host`, `bridge`, a network name, or `container:<id>` (join that
   * container's network namespace). Docker's default when absent.
   */
  network?: string;
  /** Bind mounts, `host:container[:ro]`. */
  binds?: string[];
  /** Memory limit in bytes. */
  memoryBytes?: number;
  /** CPU limit in CPUs (1.5 = one and a half cores). */
  cpus?: number;
  /** Maximum number of processes. */
  pidsLimit?: number;
  /** Run an init process as PID 1 that reaps orphaned children (`docker run --init`). */
  init?: boolean;
  /**
   * The engine removes the container when it exits (`docker run --rm`): nothing of it, logs
   * included, is left to read afterwards (follow it with {@linkcode startWatchedContainer}).
   */
  autoRemove?: boolean;
  /**
   * Keep stdin open for one attached client and close it when that client goes (`docker run -i`;
   * see `attachStdio` in streams.ts).
   */
  openStdin?: boolean;
}

/**
 * Memory limit of sandboxes and evaluation containers, in GB (10^9 bytes), unless the phase sets
 * `memory_gb` (0: no limit).
 */
export const DEFAULT_MEMORY_GB = 8;

/** Process limit of sandboxes and evaluation containers unless the phase sets `pids_limit` (0: none). */
export const DEFAULT_PIDS_LIMIT = 4096;

/** `memory_gb` in bytes (0 stays 0: no limit). */
export function gigabytes(gb: number): number {
  return Math.round(gb * 1e9);
}

/**
 * Creates and starts a container; `beforeStart` runs between the two (to attach, say). When
 * either fails, the created container is removed before the error is rethrown, so no stopped
 * leftover remains.
 */
export async function startContainer(
  docker: Docker,
  spec: ContainerSpec,
  beforeStart?: (container: Container) => Promise<void>,
): Promise<Container> {
  const container = await docker.createContainer(createOptions(spec));
  try {
    await beforeStart?.(container);
    await container.start();
  } catch (error) {
    await removeContainer(container).catch(() => {});
    throw error;
  }
  return container;
}

/** A container's output and exit, followed from before it started. */
export interface ContainerWatch {
  /**
   * The exit code, once the container exits; `null` when the watch was closed or lost first.
   * Never rejects.
   */
  exited: Promise<number | null>;
  /**
   * The last `lines` lines of stdout and stderr, interleaved as written (at most the last 64 KiB).
   * Once the container has exited, waits up to a second for the rest of its output to arrive.
   */
  logs(lines?: number): Promise<string>;
  /** Stops following (closes both connections to the engine). Safe to call twice. */
  close(): void;
}

/**
 * Like {@linkcode startContainer}, and follows the container's output and exit from before it
 * starts, so both are known even when `autoRemove` deletes it the moment it exits. Close the
 * watch once it is no longer needed: it holds two connections to the engine.
 */
export async function startWatchedContainer(
  docker: Docker,
  spec: ContainerSpec,
): Promise<{ container: Container; watch: ContainerWatch }> {
  const container = await docker.createContainer(createOptions(spec));
  let watch: ContainerWatch | undefined;
  try {
    watch = await watchContainer(container);
    await container.start();
  } catch (error) {
    watch?.close();
    await removeContainer(container).catch(() => {});
    throw error;
  }
  return { container, watch };
}

const WATCH_TAIL_BYTES = 64 * 1024;

async function watchContainer(container: Container): Promise<ContainerWatch> {
  const abort = new AbortController();
  const output = new TailSink(WATCH_TAIL_BYTES);
  const stream = await container.attach({
    stream: true,
    logs: true,
    stdout: true,
    stderr: true,
    abortSignal: abort.signal,
  });
  const ended = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
  container.modem.demuxStream(stream, output, output);
  let exitSeen = false;
  const exited = (container.wait({ condition: "next-exit", abortSignal: abort.signal }) as Promise<
    { StatusCode?: number }
  >).then(
    (result) => {
      exitSeen = true;
      return result.StatusCode ?? null;
    },
    () => null,
  );
  return {
    exited,
    async logs(lines = 50) {
      if (exitSeen) await Promise.race([ended, sleep(1_000)]);
      return lastLines(output.text(), lines);
    },
    close() {
      abort.abort();
      (stream as { destroy?: () => void }).destroy?.();
    },
  };
}

function lastLines(text: string, lines: number): string {
  const all = text.split("\n");
  const trailing = all.at(-1) === "" ? 1 : 0;
  return all.slice(-(lines + trailing)).join("\n");
}

/** A writable sink that keeps the last `limit` bytes written to it. */
class TailSink extends Writable {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;

  constructor(readonly limit: number) {
    super();
  }

  override _write(chunk: Uint8Array, _encoding: string, callback: () => void): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#chunks.length > 1 && this.#size - this.#chunks[0]!.length >= this.limit) {
      this.#size -= this.#chunks.shift()!.length;
    }
    callback();
  }

  text(): string {
    const bytes = concatBytes(this.#chunks);
    return new TextDecoder().decode(bytes.subarray(Math.max(0, bytes.length - this.limit)));
  }
}

function createOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const hostConfig: Docker.HostConfig = {};
  if (spec.network !== undefined) hostConfig.NetworkMode = spec.network;
  if (spec.binds !== undefined) hostConfig.Binds = spec.binds;
  if (spec.memoryBytes !== undefined) hostConfig.Memory = spec.memoryBytes;
  if (spec.cpus !== undefined) hostConfig.NanoCpus = Math.round(spec.cpus * 1e9);
  if (spec.pidsLimit !== undefined) hostConfig.PidsLimit = spec.pidsLimit;
  if (spec.init !== undefined) hostConfig.Init = spec.init;
  if (spec.autoRemove !== undefined) hostConfig.AutoRemove = spec.autoRemove;

  const options: Docker.ContainerCreateOptions = {
    Image: spec.image,
    Labels: spec.labels,
    HostConfig: hostConfig,
  };
  if (spec.openStdin) {
    options.OpenStdin = true;
    options.StdinOnce = true;
    options.AttachStdin = true;
  }
  if (spec.name !== undefined) options.name = spec.name;
  if (spec.cmd !== undefined) options.Cmd = spec.cmd;
  if (spec.entrypoint !== undefined) options.Entrypoint = spec.entrypoint;
  if (spec.env !== undefined) options.Env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  if (spec.workingDir !== undefined) options.WorkingDir = spec.workingDir;
  if (spec.user !== undefined) options.User = spec.user;
  return options;
}

/** What a finished exec produced. */
export interface ExecResult {
  /** Exit status of the command. */
  exitCode: number;
  /** Standard output, decoded as UTF-8. */
  stdout: string;
  /** Standard error, decoded as UTF-8. */
  stderr: string;
}

/** Options for {@linkcode execIn}. */
export interface ExecOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory; the container's when absent. */
  workingDir?: string;
  /** User; the container's when absent. */
  user?: string;
}

/**
 * Runs `cmd` (an argument vector, no shell) in a running container and waits for it to finish.
 * stdout and stderr are kept apart (Docker's multiplexed stream, split by `demuxStream`).
 */
export async function execIn(
  container: Container,
  cmd: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const createOptions: Docker.ExecCreateOptions = {
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  };
  if (options.env !== undefined) {
    createOptions.Env = Object.entries(options.env).map(([k, v]) => `${k}=${v}`);
  }
  if (options.workingDir !== undefined) createOptions.WorkingDir = options.workingDir;
  if (options.user !== undefined) createOptions.User = options.user;

  const exec = await container.exec(createOptions);
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new Collector();
  const stderr = new Collector();
  await new Promise<void>((resolve, reject) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", reject);
    container.modem.demuxStream(stream, stdout, stderr);
  });
  return { exitCode: await exitCodeOf(exec), stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * The exec's exit code. The output stream can end a moment before the engine records the exit,
 * so this asks again until the exec is no longer running.
 */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await sleep(Math.min(10 * 2 ** attempt, 500));
  }
  throw new Error(`Exec "${exec.id}" still runs after its output ended`);
}

/** A writable sink that keeps every chunk, decoded once at the end (no split characters). */
export class Collector extends Writable {
  readonly #chunks: Uint8Array[] = [];

  override _write(chunk: Uint8Array, _encoding: string, callback: () => void): void {
    this.#chunks.push(chunk);
    callback();
  }

  text(): string {
    return new TextDecoder().decode(concatBytes(this.#chunks));
  }
}

/** A container's state, from `docker inspect`. */
export interface ContainerState {
  /** `State.Running`. */
  running: boolean;
  /** `State.OOMKilled`. */
  oomKilled: boolean;
  /** `State.ExitCode` (meaningful once it is not running). */
  exitCode: number;
  /** `State.Error`, "" when none. */
  error: string;
}

/** A container's state, or null when it no longer exists. */
export async function containerState(container: Container): Promise<ContainerState | null> {
  try {
    const { State: state } = await container.inspect();
    return {
      running: state.Running,
      oomKilled: state.OOMKilled,
      exitCode: state.ExitCode,
      error: state.Error ?? "",
    };
  } catch (error) {
    if (statusCodeOf(error) === 404) return null;
    throw error;
  }
}

/**
 * Removes a container, running or not, with its anonymous volumes. Already gone is fine; when
 * the engine is already removing it (`autoRemove`), waits up to 10 s until it is gone.
 */
export async function removeContainer(container: Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (error) {
    // 404: no such container; 409: removal already in progress.
    const status = statusCodeOf(error);
    if (status === 409) await untilGone(container, 10_000);
    else if (status !== 404) throw error;
  }
}

async function untilGone(container: Container, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 200)) {
    try {
      await container.inspect();
    } catch (error) {
      if (statusCodeOf(error) === 404) return;
      throw error;
    }
    await sleep(delay);
  }
}

/**
 * Removes every container, running or stopped, labelled `velora.run=<run>`.
 *
 * @returns the ids of the containers removed.
 */
export async function reap(docker: Docker, run: string): Promise<string[]> {
  const found = await docker.listContainers({
    all: true,
    filters: { label: [labelFilter(LABEL_RUN, run)] },
  });
  await Promise.all(found.map((info) => removeContainer(docker.getContainer(info.Id))));
  return found.map((info) => info.Id);
}

/**
 * Removes every container, running or stopped, that a velora process created (by default this
 * one): what a second ^C cleans up.
 *
 * @returns the ids of the containers removed.
 */
export async function reapOwned(
  docker: Docker,
  owner: ContainerOwner = currentOwner(),
): Promise<string[]> {
  const found = await docker.listContainers({
    all: true,
    filters: {
      label: [labelFilter(LABEL_PID, String(owner.pid)), labelFilter(LABEL_HOST, owner.host)],
    },
  });
  await Promise.all(found.map((info) => removeContainer(docker.getContainer(info.Id))));
  return found.map((info) => info.Id);
}

/** The last `tail` lines of a container's stdout and stderr, interleaved as written. */
export async function containerLogs(container: Container, tail = 50): Promise<string> {
  const info = await container.inspect();
  const raw = await container.logs({ stdout: true, stderr: true, tail, follow: false });
  const bytes = new Uint8Array(raw as unknown as ArrayBufferLike);
  return new TextDecoder().decode(info.Config.Tty ? bytes : demuxFrames(bytes));
}

/** Joins the payloads of Docker's multiplexed stream frames (8-byte header: stream, size). */
function demuxFrames(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const size = view.getUint32(offset + 4);
    parts.push(bytes.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return concatBytes(parts);
}

/** A container as listed by {@linkcode listLabelledContainers}. */
export interface LabelledContainer {
  id: string;
  /** Its labels. */
  labels: Record<string, string>;
  /** Creation time, seconds since the epoch. */
  created: number;
  /** `running`, `exited`, ... */
  state: string;
}

/** Every container, running or stopped, that has label `key` (any value). */
export async function listLabelledContainers(
  docker: Docker,
  key: string,
): Promise<LabelledContainer[]> {
  const found = await docker.listContainers({ all: true, filters: { label: [labelFilter(key)] } });
  return found.map((info) => ({
    id: info.Id,
    labels: info.Labels ?? {},
    created: info.Created,
    state: info.State,
  }));
}

/** Removes a container by id, running or not (see {@linkcode removeContainer}). */
export function removeContainerById(docker: Docker, id: string): Promise<void> {
  return removeContainer(docker.getContainer(id));
}
