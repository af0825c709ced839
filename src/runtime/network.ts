/**
 * Sandbox networks. A sandbox never shares the host's network namespace unless asked to
 * (`host`): with `bridge` it has Docker's bridge network (outside access where the engine gives
 * it, through NAT; not the host's 127.0.0.1), with `none` only a loopback. Its runtime server
 * listens on that namespace's 127.0.0.1 and velora reaches it through the engine (relay.ts).
 *
 * Docker 20.10 spends about 0.11 s setting up each new network namespace (its `libnetwork-setkey`
 * hook), half a sandbox start. {@linkcode SandboxNetworks} avoids it for a run's sandboxes: they
 * join the namespace of one long-lived holder container per mode, created from the first
 * sandbox's image. The holder runs `runtime-server --relay` on a stdin and stdout that this
 * process holds attached: it carries every connection to the sandboxes' servers (mux.ts) with no
 * process per connection, and exits, and the engine removes it, when this process goes, even by
 * `kill -9`. Sandboxes of one run share a loopback with each other (as they shared the host's
 * before), never with the host.
 *
 * @module
 */
import type { Docker } from "../docker/client.ts";
import { type Container, removeContainer, startContainer } from "../docker/containers.ts";
import { LABEL_ROLE, veloraLabels } from "../docker/labels.ts";
import { attachStdio } from "../docker/streams.ts";
import { UsageError } from "../errors.ts";
import type { Injection } from "./inject.ts";
import { RelayMux } from "./mux.ts";

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
  /** The namespace's holder. */
  readonly holder: Container;
  /** The holder's relay: streams to the namespace's ports. */
  readonly mux: RelayMux;
  /** The server's port, unique in the namespace. */
  readonly port: number;
  /** Gives the port back. Safe to call twice. */
  release(): void;
}

interface Holder {
  container: Container;
  mux: RelayMux;
  ports: Set<number>;
}

/** Options of {@linkcode SandboxNetworks}. */
export interface SandboxNetworksOptions {
  /** Value of the holders' `velora.run` label (the run's sandboxes have the same). */
  run: string;
}

/**
 * The shared network namespaces of a run's sandboxes, one holder per engine and mode, started on
 * first use and removed by {@linkcode SandboxNetworks.close} (or when this process exits). A
 * holder uses the first sandbox's image until closed: do not share across images that are
 * removed while the run goes on (per-instance image loading).
 */
export class SandboxNetworks implements AsyncDisposable {
  readonly #holders = new Map<Docker, Map<"none" | "bridge", Promise<Holder>>>();
  #closed = false;

  constructor(readonly options: SandboxNetworksOptions) {}

  /**
   * A port in the namespace of `mode` on the engine of `docker`. When there is none yet, or the
   * last one is gone, a holder is started from `image`, running the relay as `relay` says
   * (`planRelay`).
   */
  async lease(
    docker: Docker,
    mode: "none" | "bridge",
    image: string,
    relay: Injection,
  ): Promise<NetworkLease> {
    if (this.#closed) throw new Error("SandboxNetworks is closed");
    let holders = this.#holders.get(docker);
    if (!holders) this.#holders.set(docker, holders = new Map());
    let pending = holders.get(mode);
    if (pending) {
      const current = await pending.catch(() => undefined);
      if (!current || current.mux.over) {
        if (holders.get(mode) === pending) holders.delete(mode);
        pending = undefined;
      }
    }
    if (!pending) {
      pending = this.#startHolder(docker, mode, image, relay);
      holders.set(mode, pending);
      pending.catch(() => {
        if (holders.get(mode) === pending) holders.delete(mode);
      });
    }
    const holder = await pending;
    const port = freePortIn(holder.ports);
    holder.ports.add(port);
    let released = false;
    return {
      networkMode: `container:${holder.container.id}`,
      holder: holder.container,
      mux: holder.mux,
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
    for (const pending of this.#all()) {
      const holder = await pending.catch(() => undefined);
      if (holder?.container.id === lease.holder.id) return holder.mux.over;
    }
    return true;
  }

  /** Removes the holders. Sandboxes still in them keep their network until they are removed. */
  async close(): Promise<void> {
    this.#closed = true;
    const holders = this.#all();
    this.#holders.clear();
    await Promise.all(holders.map(async (pending) => {
      const holder = await pending.catch(() => undefined);
      if (!holder) return;
      holder.mux.close();
      await removeContainer(holder.container).catch(() => {});
    }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #all(): Promise<Holder>[] {
    return [...this.#holders.values()].flatMap((holders) => [...holders.values()]);
  }

  async #startHolder(
    docker: Docker,
    mode: "none" | "bridge",
    image: string,
    relay: Injection,
  ): Promise<Holder> {
    const spec = {
      image,
      // Not a sandbox: no `velora.phase` label (what looks for a phase's sandboxes skips it).
      labels: { ...veloraLabels({ run: this.options.run }), [LABEL_ROLE]: "network" },
      entrypoint: relay.entrypoint,
      cmd: relay.cmd,
      binds: relay.binds,
      env: relay.env,
      network: mode,
      user: "0:0",
      init: true,
      autoRemove: true,
      openStdin: true,
      pidsLimit: 256,
      memoryBytes: 1024 ** 3,
    };
    // Attached before the start: the relay never sees an end of its stdin it should not.
    let mux: RelayMux | undefined;
    const container = await startContainer(docker, spec, async (created) => {
      mux = new RelayMux(await attachStdio(created));
    });
    return { container, mux: mux!, ports: new Set() };
  }
}

function freePortIn(used: Set<number>): number {
  for (;;) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (!used.has(port)) return port;
  }
}
