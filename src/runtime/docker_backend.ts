/**
 * The Docker backend: sandboxes and boxes are containers of one engine (`DOCKER_HOST` or the
 * default socket), labelled by `veloraLabels`, reached through the engine's API.
 *
 * @module
 */
import { type Docker, dockerEndpoint, ping } from "../docker/client.ts";
import {
  type Container,
  containerState,
  DEFAULT_MEMORY_GB,
  DEFAULT_PIDS_LIMIT,
  execIn,
  gigabytes,
  reap,
  reapOwned,
  removeContainer,
  startContainer,
} from "../docker/containers.ts";
import { imageExists } from "../docker/images.ts";
import { veloraLabels } from "../docker/labels.ts";
import { putFiles } from "../docker/put_files.ts";
import type { Box, BoxSpec, RunningSandbox, SandboxBackend } from "./backend.ts";
import { SandboxNetworks } from "./network.ts";
import { Sandbox, type SandboxOptions } from "./sandbox.ts";

/** Sandboxes and boxes as containers of one Docker engine. */
export class DockerBackend implements SandboxBackend {
  readonly kind = "docker";

  constructor(readonly docker: Docker, readonly where: string = dockerEndpoint()) {}

  ping(): Promise<void> {
    return ping(this.docker, undefined, this.where);
  }

  imageExists(image: string): Promise<boolean> {
    return imageExists(this.docker, image);
  }

  missingImage(image: string): string {
    return `image "${image}" is not loaded; load it with ` +
      "`velora images load <tar|s3://|https://>` or a load-images phase";
  }

  startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
    return Sandbox.start(this.docker, options);
  }

  async startBox(spec: BoxSpec): Promise<Box> {
    const container = await startContainer(this.docker, {
      image: spec.image,
      name: `velora-${spec.purpose.phase ?? "box"}-${crypto.randomUUID().slice(0, 12)}`,
      labels: veloraLabels(spec.purpose),
      entrypoint: ["sleep"],
      cmd: ["infinity"],
      network: spec.network,
      // Reaps what the commands leave behind.
      init: true,
      user: "0:0",
      memoryBytes: spec.memoryBytes ?? gigabytes(DEFAULT_MEMORY_GB),
      pidsLimit: spec.pidsLimit ?? DEFAULT_PIDS_LIMIT,
      ...(spec.cpus ? { cpus: spec.cpus } : {}),
    });
    return containerBox(container);
  }

  sharedNetworks(run: string): SandboxNetworks {
    return new SandboxNetworks({ run });
  }

  reap(run: string): Promise<string[]> {
    return reap(this.docker, run);
  }

  reapOwned(): Promise<string[]> {
    return reapOwned(this.docker);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A container as a {@linkcode Box}. */
export function containerBox(container: Container): Box {
  return {
    id: container.id,
    exec: (cmd, options) => execIn(container, cmd, options),
    putFiles: (files) => putFiles(container, files),
    state: () => containerState(container),
    remove: () => removeContainer(container),
  };
}
