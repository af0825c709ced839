/**
 * Byte streams into containers through the engine's API: an exec's stdin and stdout, or a
 * container's own (attached before it starts). Both travel over the connection to the engine, so
 * they work the same with a local socket or `tcp://`.
 *
 * @module
 */
import type { Duplex } from "node:stream";
import type { Container } from "./containers.ts";

/** A process in a container, reached through its stdin (`writable`) and stdout (`readable`). */
export interface ExecStream {
  /** The process's stdout (its stderr is dropped). Ends when the process ends. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The process's stdin. */
  readonly writable: WritableStream<Uint8Array>;
  /** Drops the connection to the engine, which closes the process's stdin. Safe to call twice. */
  close(): void;
}

/**
 * Starts `cmd` in a running container with stdin attached and answers its stdout and stdin as
 * web streams. The connection does not keep this process alive.
 */
export async function openExecStream(container: Container, cmd: string[]): Promise<ExecStream> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const socket = await exec.start({ hijack: true, stdin: true }) as Duplex;
  return duplexStream(socket);
}

/** Wraps an engine connection carrying Docker's multiplexed frames (stdout kept, stderr dropped). */
function duplexStream(socket: Duplex): ExecStream {
  const raw = socket as Duplex & { setNoDelay?(on: boolean): void; unref?(): void };
  raw.setNoDelay?.(true);
  raw.unref?.();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    socket.destroy();
  };
  const frames = new FrameReader();
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        try {
          controller.close();
        } catch { /* already errored or closed */ }
      };
      socket.on("data", (chunk: Uint8Array) => {
        if (done) return;
        for (const payload of frames.push(chunk)) controller.enqueue(payload);
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.once("end", finish);
      socket.once("close", finish);
      socket.once("error", finish);
    },
    pull() {
      socket.resume();
    },
    cancel() {
      close();
    },
  }, { highWaterMark: 16 });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      return new Promise<void>((resolve, reject) => {
        if (closed) return reject(new Error("the exec stream is closed"));
        socket.write(chunk, (error) => error ? reject(error) : resolve());
      });
    },
    close() {
      close();
    },
    abort() {
      close();
    },
  });
  return { readable, writable, close };
}

/** Splits Docker's multiplexed stream (8-byte header: stream type, 3 zero bytes, u32 size). */
class FrameReader {
  #pending = new Uint8Array(0);

  /** The stdout payloads completed by `chunk`. */
  push(chunk: Uint8Array): Uint8Array[] {
    let buffer = chunk;
    if (this.#pending.length > 0) {
      buffer = new Uint8Array(this.#pending.length + chunk.length);
      buffer.set(this.#pending);
      buffer.set(chunk, this.#pending.length);
    }
    const out: Uint8Array[] = [];
    let offset = 0;
    while (buffer.length - offset >= 8) {
      const size = new DataView(buffer.buffer, buffer.byteOffset + offset + 4, 4).getUint32(0);
      if (buffer.length - offset - 8 < size) break;
      const type = buffer[offset]!;
      // Copied: the socket may reuse its buffer after this event.
      if (type === 1 && size > 0) out.push(buffer.slice(offset + 8, offset + 8 + size));
      offset += 8 + size;
    }
    this.#pending = buffer.slice(offset);
    return out;
  }
}

/**
 * Attaches to the stdin, stdout and stderr of a created container (`openStdin` set), before it
 * starts: `writable` is its stdin, `readable` its stdout. While this process holds the connection
 * the stdin stays open; when it closes (this process exits, even by `kill -9`, or
 * {@linkcode ExecStream.close}), the engine closes it. `readable` ends when the container exits.
 * The connection does not keep this process alive.
 */
export async function attachStdio(container: Container): Promise<ExecStream> {
  const socket = await container.attach({
    stream: true,
    stdin: true,
    stdout: true,
    stderr: true,
    hijack: true,
  }) as Duplex;
  return duplexStream(socket);
}
