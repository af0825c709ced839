/**
 * A sandbox: a container from an unchanged instance image running velora's runtime server on
 * the loopback of the sandbox's own network namespace, with a random per-container session key.
 * velora reaches the server through the engine (relay.ts), never through the host's network.
 *
 * Networks (network.ts): `bridge` by default (Docker's bridge; the host's 127.0.0.1 is out of
 * reach), `none` (loopback only) or `host` (the host's namespace: unsafe, the model can reach
 * every service bound to the host's loopback). With a {@linkcode SandboxNetworks}, the sandboxes
 * of a run join one namespace created ahead instead of paying for one each.
 *
 * Limits: {@linkcode DEFAULT_MEMORY_GB} of memory and {@linkcode DEFAULT_PIDS_LIMIT} processes
 * unless set (0: no limit).
 *
 * A dead man's switch ties the sandbox to the velora process that started it: the server runs with
 * `--owner-timeout` and exits when no request from velora arrived for that long; velora sends a
 * heartbeat every few seconds (from a timer that does not keep the process alive) whatever the
 * agent is doing; the container is created with `AutoRemove`, so it disappears when the server
 * exits. After `kill -9`, a crash or a lost host, the sandbox is gone within the timeout.
 *
 * @module
 */
import { type Docker, ping } from "../docker/client.ts";
import {
  type Container,
  type ContainerWatch,
  DEFAULT_MEMORY_GB,
  DEFAULT_PIDS_LIMIT,
  gigabytes,
  removeContainer,
  startWatchedContainer,
} from "../docker/containers.ts";
import { veloraLabels } from "../docker/labels.ts";
import { UsageError, VeloraError } from "../errors.ts";
import type { RunningSandbox, SandboxOptions } from "./backend.ts";
import { sleep, withTimeout } from "../sleep.ts";
import { RuntimeClient } from "./client.ts";
import { currentRunner, planInjection, planRelay, type Runner } from "./inject.ts";

export type { SandboxOptions };
import { DEFAULT_SANDBOX_NETWORK, type NetworkLease, type NetworkMode } from "./network.ts";
import { type Dial, execDial, ServerRelay } from "./relay.ts";
import { serverCache } from "./server_cache.ts";
import { type ActionEvent, type Observation, runAction, type RunOptions } from "./protocol.ts";

/** The sandbox did not become ready. The message carries the container's last log lines. */
export class SandboxStartError extends VeloraError {}

/** Seconds a sandbox outlives the last heartbeat of its velora process, unless configured. */
export const DEFAULT_OWNER_TIMEOUT_SECONDS = 30;

/** The environment variable that sets the owner timeout (seconds; 0 turns the switch off). */
export const OWNER_TIMEOUT_ENV = "VELORA_SANDBOX_OWNER_TIMEOUT";

/**
 * The owner timeout: `$VELORA_SANDBOX_OWNER_TIMEOUT` when set, else
 * {@linkcode DEFAULT_OWNER_TIMEOUT_SECONDS}.
 */
export function ownerTimeoutSeconds(env: string | undefined = Deno.env.get(OWNER_TIMEOUT_ENV)) {
  if (env === undefined || env.trim() === "") return DEFAULT_OWNER_TIMEOUT_SECONDS;
  const seconds = Number(env);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(
      `${OWNER_TIMEOUT_ENV}="${env}" is not a number of seconds (0 turns the switch off)`,
    );
  }
  return seconds;
}

/** How often the owner sends a heartbeat: a third of the timeout, at most every 5 s. */
export function heartbeatIntervalMs(ownerTimeout: number): number {
  return Math.max(50, Math.min(5_000, (ownerTimeout * 1000) / 3));
}

/** A running sandbox. Always {@linkcode Sandbox.close} it (or use `await using`). */
export class Sandbox implements RunningSandbox {
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  readonly #relay: ServerRelay;
  readonly #lease: NetworkLease | undefined;

  private constructor(
    readonly container: Container,
    readonly client: RuntimeClient,
    /** The server's port in the sandbox's network namespace. */
    readonly port: number,
    /** The owner timeout the server runs with, in seconds (0: none). */
    readonly ownerTimeout: number,
    /** The sandbox's network. */
    readonly network: NetworkMode,
    relay: ServerRelay,
    lease: NetworkLease | undefined,
  ) {
    this.#relay = relay;
    this.#lease = lease;
    if (ownerTimeout > 0) this.#heartbeat = startHeartbeat(client, ownerTimeout);
  }

  /**
   * Creates the container, starts the server and waits until `/alive` answers. If the container
   * exits first, fails at once with its last 50 log lines. A failed start leaves no container.
   */
  static async start(docker: Docker, options: SandboxOptions): Promise<Sandbox> {
    const network = options.network ?? DEFAULT_SANDBOX_NETWORK;
    const shared = network === "host" ? undefined : options.networks;
    const runner = options.runner ?? currentRunner();
    const cache = await serverCache(docker, options.image, runner);
    for (let attempt = 1;; attempt++) {
      const lease = shared && network !== "host"
        ? await shared.lease(docker, network, options.image, planRelay(runner, cache))
        : undefined;
      try {
        return await Sandbox.#start(docker, options, { network, runner, cache, lease });
      } catch (error) {
        lease?.release();
        // The shared namespace went away (its holder was removed): once more with a new one.
        if (lease && attempt === 1 && await shared!.isGone(lease)) continue;
        throw error;
      }
    }
  }

  static async #start(
    docker: Docker,
    options: SandboxOptions,
    { network, runner, cache, lease }: {
      network: NetworkMode;
      runner: Runner;
      cache: string | undefined;
      lease: NetworkLease | undefined;
    },
  ): Promise<Sandbox> {
    const port = lease?.port ?? (network === "host" ? freePort() : randomPort());
    const sessionKey = crypto.randomUUID().replaceAll("-", "");
    const ownerTimeout = options.ownerTimeoutSeconds ?? ownerTimeoutSeconds();
    const injection = planInjection(runner, {
      port,
      workingDir: options.workingDir ?? "/workspace",
      ownerTimeout,
    }, cache);
    const { container, watch } = await startWatchedContainer(docker, {
      image: options.image,
      labels: veloraLabels({
        run: options.run,
        ...(options.instance === undefined ? {} : { instance: options.instance }),
        ...(options.phase === undefined ? {} : { phase: options.phase }),
      }),
      entrypoint: injection.entrypoint,
      cmd: injection.cmd,
      binds: injection.binds,
      env: { ...options.env, ...injection.env, SESSION_API_KEY: sessionKey },
      network: lease?.networkMode ?? network,
      user: "0:0",
      // The server is not an init: without one, orphaned grandchildren would pile up as zombies.
      init: true,
      // Whenever the server exits (its owner gone, or a crash), the container goes with it.
      autoRemove: true,
      memoryBytes: options.memoryBytes ?? gigabytes(DEFAULT_MEMORY_GB),
      pidsLimit: options.pidsLimit ?? DEFAULT_PIDS_LIMIT,
      ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
    });
    // Connections wait for the server while it starts: the first request is on its way meanwhile.
    const dial: Dial = lease
      ? (waitSeconds) => lease.mux.dial(port, waitSeconds * 1000)
      : execDial(container, port);
    const relay = new ServerRelay(dial, RELAY_WAIT_SECONDS);
    const client = new RuntimeClient(relay.url, sessionKey);
    try {
      await waitUntilAlive(
        watch,
        client,
        options.image,
        options.readyTimeoutMs ?? 120_000,
        () => ping(docker, 5_000).then(() => true, () => false),
      );
      relay.serverReady();
    } catch (error) {
      relay.close();
      await removeContainer(container).catch(() => {});
      throw error;
    } finally {
      watch.close();
    }
    return new Sandbox(container, client, port, ownerTimeout, network, relay, lease);
  }

  /**
   * The server's address on this machine (a relay through the engine, see relay.ts): what
   * {@linkcode Sandbox.client} talks to.
   */
  get url(): string {
    return this.#relay.url;
  }

  /** Runs a bash command in the sandbox's persistent session. */
  run(command: string, options: RunOptions = {}): Promise<Observation> {
    return this.client.executeAction(runAction(command, options));
  }

  /** Runs any action. */
  execute(action: ActionEvent): Promise<Observation> {
    return this.client.executeAction(action);
  }

  /** Stops the heartbeat and removes the container. Safe to call twice. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#relay.close();
    try {
      await removeContainer(this.container);
    } finally {
      this.#lease?.release();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Sends a heartbeat to the server every {@linkcode heartbeatIntervalMs}, one at a time,
 * independently of actions (a long blocking command does not delay it). The timer does not keep
 * the process alive: when velora is done or dies, the heartbeats stop and the server's owner
 * timeout runs out. Stop it with `clearInterval`.
 */
export function startHeartbeat(
  client: RuntimeClient,
  ownerTimeout: number,
): ReturnType<typeof setInterval> {
  const intervalMs = heartbeatIntervalMs(ownerTimeout);
  let inFlight = false;
  const timer = setInterval(async () => {
    if (inFlight) return;
    inFlight = true;
    try {
      await withTimeout(Math.max(intervalMs, 1_000), (signal) => client.heartbeat(signal));
    } finally {
      inFlight = false;
    }
  }, intervalMs);
  Deno.unrefTimer(timer);
  return timer;
}

/**
 * Polls `/alive` until it answers. The container is auto-removed when it exits, so its exit and
 * output come from the watch that followed it from before its start.
 */
async function waitUntilAlive(
  watch: ContainerWatch,
  client: RuntimeClient,
  image: string,
  timeoutMs: number,
  engineAnswers: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seen: { exitCode?: number } = {};
  const exit = new AbortController();
  // Resolves only when the container exits (not when the watch is lost).
  const exited = new Promise<void>((resolve) =>
    watch.exited.then((code) => {
      if (code === null) return;
      seen.exitCode = code;
      exit.abort();
      resolve();
    })
  );
  let checked = Date.now();
  for (let delay = 10;; delay = Math.min(delay * 1.5, 250)) {
    // The relay waits for the server to listen: one request usually covers the whole start.
    const wait = Math.max(1, Math.min(deadline - Date.now(), (RELAY_WAIT_SECONDS + 5) * 1000));
    const alive = await withTimeout(
      wait,
      (signal) => client.alive(AbortSignal.any([signal, exit.signal])),
    );
    if (alive) return;
    // An engine that died does not end the watch (its wait stays open): ask it now and then, so a
    // start on a lost engine fails in seconds rather than at the timeout.
    if (Date.now() - checked >= ENGINE_CHECK_MS) {
      if (!(await engineAnswers())) {
        throw new SandboxStartError(
          `The Docker engine stopped answering while the sandbox for image "${image}" started`,
        );
      }
      checked = Date.now();
    }
    const code = seen.exitCode;
    if (code !== undefined) {
      const logs = (await watch.logs(50)).trimEnd();
      throw new SandboxStartError(
        `Sandbox for image "${image}" exited with code ${code} before its server ` +
          `was ready${hintFor(logs, code)}. Last log lines:\n${logs || "(none)"}`,
      );
    }
    if (Date.now() > deadline) {
      const logs = (await watch.logs(50)).trimEnd();
      throw new SandboxStartError(
        `Sandbox for image "${image}" was not ready after ${timeoutMs / 1000}s. ` +
          `Last log lines:\n${logs || "(none)"}`,
      );
    }
    await Promise.race([sleep(delay), exited]);
  }
}

/** How often a sandbox that is not ready yet checks that its engine still answers. */
const ENGINE_CHECK_MS = 3_000;

function hintFor(logs: string, exitCode: number): string {
  if (/GLIBC_|libc\.so|ld-linux|cannot execute|Exec format error/.test(logs) || exitCode === 126) {
    return " (the image needs glibc ≥ 2.27 on x86_64/aarch64 Linux, e.g. Debian 10+ or Ubuntu 18.04+)";
  }
  if (/address already in use/i.test(logs)) return " (its port was taken; try again)";
  return "";
}

/** Seconds a connection to a starting server waits for it to listen. */
export const RELAY_WAIT_SECONDS = 10;

/** A port for a server alone in its network namespace. */
export function randomPort(): number {
  return 10_000 + Math.floor(Math.random() * 22_000);
}

/** A port that is free on 127.0.0.1 right now (the kernel picks it). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
