/**
 * How velora reaches a runtime server that listens on the loopback of a sandbox's own network
 * namespace: a listener on this machine's 127.0.0.1 whose every connection is carried through
 * the engine's API into that namespace, where it is connected to the server's port. Nothing is
 * published on any interface, the sandbox's network can be `none`, and it works the same when the
 * engine is on another machine.
 *
 * Two carriers: in a shared namespace, a stream of the namespace's relay process (mux.ts); in a
 * sandbox's own namespace, a `docker exec` of {@linkcode RELAY_SCRIPT} per connection.
 *
 * @module
 */
import type { Container } from "../docker/containers.ts";
import { type ExecStream, openExecStream } from "../docker/streams.ts";

/** Opens one stream to the server; `waitSeconds`: how long to wait for it to listen. */
export type Dial = (waitSeconds: number) => Promise<ExecStream> | ExecStream;

/** Dials by a `docker exec` of {@linkcode RELAY_SCRIPT} in `container` (one process per stream). */
export function execDial(container: Container, port: number): Dial {
  return (waitSeconds) => openExecStream(container, execDialScript(port, waitSeconds));
}

/** The command of one relay process: {@linkcode RELAY_SCRIPT} for `port`. */
export function execDialScript(port: number, waitSeconds: number): string[] {
  return ["bash", "-c", RELAY_SCRIPT, String(port), String(waitSeconds)];
}

/**
 * The in-container end (`bash -c RELAY_SCRIPT <port> <wait seconds>`): connects to
 * 127.0.0.1:<port>, retrying every 10 ms for up to <wait seconds> while the server starts, then
 * copies stdin to the socket and the socket to stdout until either side ends. Needs only bash
 * (≥ 4.3, with `/dev/tcp`) and `cat`.
 */
export const RELAY_SCRIPT = [
  // Not `exec 2>/dev/null`: on Kubernetes (containerd) the exec's stdin is closed once its
  // stderr pipe has no writer left.
  "n=$(( $1 * 100 ))",
  'until { exec 3<>/dev/tcp/127.0.0.1/"$0"; } 2>/dev/null; do',
  "  [ $((n -= 1)) -ge 0 ] || exit 1",
  "  sleep 0.01",
  "done",
  // A background job's stdin would be /dev/null: keep the real one as fd 4.
  "exec 4<&0",
  "cat <&3 & r=$!",
  "cat <&4 >&3 & w=$!",
  "exec 3>&- 4<&-",
  "wait -n",
  "kill $r $w 2>/dev/null",
].join("\n");

/** A local entrance to one runtime server. Close it with {@linkcode ServerRelay.close}. */
export class ServerRelay {
  readonly #listener: Deno.TcpListener;
  readonly #open = new Set<() => void>();
  #waitSeconds: number;
  #closed = false;

  /**
   * @param dial opens a stream to the server
   * @param waitSeconds how long a new connection waits for the server to listen (until
   *   {@linkcode ServerRelay.serverReady})
   */
  constructor(readonly dial: Dial, waitSeconds: number) {
    this.#waitSeconds = waitSeconds;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    // Idle connections must not keep velora running (the sandbox's owner timeout cleans up).
    this.#listener.unref();
    this.#accept();
  }

  /** The URL to send the server's requests to. */
  get url(): string {
    return `http://127.0.0.1:${this.#listener.addr.port}`;
  }

  /** The server answered once: from now on a connection fails at once when it cannot connect. */
  serverReady(): void {
    this.#waitSeconds = 0;
  }

  /** Stops accepting and drops every connection. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    for (const drop of [...this.#open]) drop();
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) void this.#carry(conn);
    } catch {
      // The listener was closed.
    }
  }

  async #carry(conn: Deno.TcpConn): Promise<void> {
    conn.setNoDelay(true);
    conn.unref();
    let stream: ExecStream | undefined;
    let dropped = false;
    const drop = () => {
      if (dropped) return;
      dropped = true;
      this.#open.delete(drop);
      stream?.close();
      try {
        conn.close();
      } catch { /* already closed */ }
    };
    this.#open.add(drop);
    if (this.#closed) return drop();
    try {
      stream = await this.dial(this.#waitSeconds);
    } catch {
      return drop();
    }
    if (dropped) return stream.close();
    // Whichever side ends first ends the connection: HTTP clients never half-close.
    await Promise.race([
      conn.readable.pipeTo(stream.writable, { preventClose: true }).catch(() => {}),
      stream.readable.pipeTo(conn.writable, { preventClose: true }).catch(() => {}),
    ]);
    drop();
  }
}
