/**
 * Sandbox networks. A sandbox never shares the host's network namespace unless asked to
 * (`host`): with `bridge` it has Docker's bridge network (outside access where the engine gives
 * it, through NAT; not the host's 127.0.0.1), with `none` only a loopback. Its runtime server
 * listens on that namespace's 127.0.0.1 and velora reaches it through the engine (relay.ts).
 *
 * Docker 20.10 spends about 0.11 s setting up each new network namespace (its `libnetwork-setkey`
 * hook), half a sandbox start. {@linkcode SandboxNetworks} avoids it for a run's sandboxes: they
 * join the namespace of one long-lived holder container per mode, created from the first
 * sandbox's image (`cat` reading a stdin that this process holds open: it exits, and the engine
 * removes it, when this process goes, even by `kill -9`). Sandboxes of one run then share a
 * loopback with each other (as they shared the host's before), never with the host.
 *
 * @module
 */
import type { Docker } from "../docker/client.ts";
import {
  type Container,
  DEFAULT_PIDS_LIMIT,
  removeContainer,
  startContainer,
} from "../docker/containers.ts";
import { LABEL_ROLE, veloraLabels } from "../docker/labels.ts";
import { holdStdin, type StdinHold } from "../docker/streams.ts";
import { UsageError } from "../errors.ts";

/** The network a sandbox (or an evaluation container) gets. */
export type NetworkMode = "none" | "bridge" | "host";

/** The modes, for schemas and flags. */
export const NETWORK_MODES = ["none", "bridge", "host"] as const satisfies readonly NetworkMode[];

/** A sandbox's network unless configured: Docker's bridge, never the host's. */
export const DEFAULT_SANDBOX_NETWORK: NetworkMode = "bridge";

/** Checks a `--network` value. */
export function parseNetworkMode(value: string, flag = "--network"): NetworkMode {
  if ((NETWORK_MODES as readonly string[]).includes(value)) return value as NetworkMode;
  throw new UsageError(`Cannot use ${flag} "${value}": expected none, bridge or host`);
}

/** Server ports in a shared namespace: below Linux's ephemeral range (32768-60999). */
const PORT_RANGE = { from: 10_000, to: 32_000 };

/** A place in a shared network namespace, held by one sandbox. */
export interface NetworkLease {
  /** `container:<id>`: the sandbox's network mode. */
  readonly networkMode: string;
  /** A running container of the namespace, where relays to the sandbox's server run. */
  readonly holder: Container;
  /** The server's port, unique in the namespace. */
  readonly port: number;
  /** Gives the port back. Safe to call twice. */
  release(): void;
}

interface Holder {
  container: Container;
  hold: StdinHold;
  ports: Set<number>;
  gone: boolean;
}

/** Options of {@linkcode SandboxNetworks}. */
export interface SandboxNetworksOptions {
  /** Value of the holders' `velora.run` label (the run's sandboxes have the same). */
  run: string;
}

/**
 * The shared network namespaces of a run's sandboxes, one holder per mode, started on first use
 * and removed by {@linkcode SandboxNetworks.close} (or when this process exits). A holder uses
 * the first sandbox's image until closed: do not share across images that are removed while the
 * run goes on (per-instance image loading).
 */
export class SandboxNetworks implements AsyncDisposable {
  readonly #holders = new Map<"none" | "bridge", Promise<Holder>>();
  #closed = false;

  constructor(readonly docker: Docker, readonly options: SandboxNetworksOptions) {}

  /**
   * A port in the namespace of `mode` (started from `image` if there is none yet, or if the last
   * one is gone).
   */
  async lease(mode: "none" | "bridge", image: string): Promise<NetworkLease> {
    if (this.#closed) throw new Error("SandboxNetworks is closed");
    let pending = this.#holders.get(mode);
    if (pending) {
      const current = await pending.catch(() => undefined);
      if (!current || current.gone) {
        if (this.#holders.get(mode) === pending) this.#holders.delete(mode);
        pending = undefined;
      }
    }
    if (!pending) {
      pending = this.#startHolder(mode, image);
      this.#holders.set(mode, pending);
      pending.catch(() => {
        if (this.#holders.get(mode) === pending) this.#holders.delete(mode);
      });
    }
    const holder = await pending;
    const port = freePortIn(holder.ports);
    holder.ports.add(port);
    let released = false;
    return {
      networkMode: `container:${holder.container.id}`,
      holder: holder.container,
      port,
      release: () => {
        if (released) return;
        released = true;
        holder.ports.delete(port);
      },
    };
  }

  /** Whether the holder of a lease is gone (its sandboxes then cannot start). */
  async isGone(lease: NetworkLease): Promise<boolean> {
    for (const pending of this.#holders.values()) {
      const holder = await pending.catch(() => undefined);
      if (holder?.container.id === lease.holder.id) return holder.gone;
    }
    return true;
  }

  /** Removes the holders. Sandboxes still in them keep their network until they are removed. */
  async close(): Promise<void> {
    this.#closed = true;
    const holders = [...this.#holders.values()];
    this.#holders.clear();
    await Promise.all(holders.map(async (pending) => {
      const holder = await pending.catch(() => undefined);
      if (!holder) return;
      holder.hold.release();
      await removeContainer(holder.container).catch(() => {});
    }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #startHolder(mode: "none" | "bridge", image: string): Promise<Holder> {
    const { docker, options } = this;
    const spec = {
      image,
      // Not a sandbox: no `velora.phase` label (what looks for a phase's sandboxes skips it).
      labels: { ...veloraLabels({ run: options.run }), [LABEL_ROLE]: "network" },
      entrypoint: ["cat"],
      cmd: [],
      network: mode,
      user: "0:0",
      init: true,
      autoRemove: true,
      openStdin: true,
      // It runs the relays (a bash and two cats per connection), nothing else.
      pidsLimit: DEFAULT_PIDS_LIMIT,
      memoryBytes: 1024 ** 3,
    };
    // The stdin is held before the start: `cat` never sees an end-of-file it should not.
    let hold: StdinHold | undefined;
    const container = await startContainer(docker, spec, async (created) => {
      hold = await holdStdin(created);
    });
    const holder: Holder = { container, hold: hold!, ports: new Set(), gone: false };
    holder.hold.ended.then(() => holder.gone = true);
    return holder;
  }
}

function freePortIn(used: Set<number>): number {
  for (;;) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (!used.has(port)) return port;
  }
}
