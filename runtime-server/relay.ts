/**
 * `runtime-server --relay`: many TCP connections to ports of this network namespace's 127.0.0.1,
 * carried over stdin and stdout. velora runs it as the main process of the container that holds a
 * run's shared network namespace and attaches to its stdin and stdout through the engine: each of
 * velora's connections to a sandbox's server becomes a numbered stream here, with no process
 * started per connection. When stdin ends (velora is gone), it exits.
 *
 * Frames, both ways: type (1 byte), stream id (u32, big-endian), payload length (u32), payload.
 *
 * - `OPEN` (velora → relay): payload port (u16) and wait (u32, ms): connect to 127.0.0.1:port,
 *   retrying while nothing listens there for up to `wait` ms;
 * - `DATA`: bytes of the stream, either way (sent by velora as soon as it has them: the relay
 *   keeps them until it is connected);
 * - `CLOSE`: the stream is over, either way (sent by the relay when it cannot connect, too).
 *
 * @module
 */

/** Frame types. */
export const FRAME = { OPEN: 1, DATA: 2, CLOSE: 3 } as const;

/** Bytes before a frame's payload. */
export const FRAME_HEADER = 9;

/** One frame, header and payload. */
export function encodeFrame(type: number, id: number, payload?: Uint8Array): Uint8Array {
  const length = payload?.length ?? 0;
  const frame = new Uint8Array(FRAME_HEADER + length);
  const view = new DataView(frame.buffer);
  view.setUint8(0, type);
  view.setUint32(1, id);
  view.setUint32(5, length);
  if (payload) frame.set(payload, FRAME_HEADER);
  return frame;
}

/** Splits a byte stream into frames. */
export class FrameParser {
  #buffer = new Uint8Array(0);

  /** The frames completed by `chunk`. */
  push(chunk: Uint8Array): { type: number; id: number; payload: Uint8Array }[] {
    let buffer = chunk;
    if (this.#buffer.length > 0) {
      buffer = new Uint8Array(this.#buffer.length + chunk.length);
      buffer.set(this.#buffer);
      buffer.set(chunk, this.#buffer.length);
    }
    const frames: { type: number; id: number; payload: Uint8Array }[] = [];
    let offset = 0;
    while (buffer.length - offset >= FRAME_HEADER) {
      const view = new DataView(buffer.buffer, buffer.byteOffset + offset, FRAME_HEADER);
      const length = view.getUint32(5);
      if (buffer.length - offset - FRAME_HEADER < length) break;
      const start = offset + FRAME_HEADER;
      frames.push({
        type: view.getUint8(0),
        id: view.getUint32(1),
        payload: buffer.slice(start, start + length),
      });
      offset = start + length;
    }
    this.#buffer = buffer.slice(offset);
    return frames;
  }
}

interface Stream {
  conn?: Deno.TcpConn;
  /** Bytes from velora that arrived before the connection. */
  early: Uint8Array[];
  /** Writes to the connection, in order. */
  writes: Promise<void>;
  closed: boolean;
}

/** Runs the relay until stdin ends; answers the exit code. */
export async function relayMain(
  input: ReadableStream<Uint8Array> = Deno.stdin.readable,
  output: WritableStream<Uint8Array> = Deno.stdout.writable,
): Promise<number> {
  const writer = output.getWriter();
  let sending = Promise.resolve();
  const send = (type: number, id: number, payload?: Uint8Array) => {
    const frame = encodeFrame(type, id, payload);
    sending = sending.then(() => writer.write(frame)).catch(() => {});
    return sending;
  };
  const streams = new Map<number, Stream>();
  const end = (id: number, tell: boolean) => {
    const stream = streams.get(id);
    if (!stream || stream.closed) return;
    stream.closed = true;
    streams.delete(id);
    try {
      stream.conn?.close();
    } catch { /* already closed */ }
    if (tell) send(FRAME.CLOSE, id);
  };
  const open = async (id: number, port: number, waitMs: number) => {
    const stream: Stream = { early: [], writes: Promise.resolve(), closed: false };
    streams.set(id, stream);
    const conn = await connect(port, waitMs);
    if (!conn) return end(id, true);
    if (stream.closed) return conn.close();
    conn.setNoDelay(true);
    stream.conn = conn;
    for (const bytes of stream.early.splice(0)) write(stream, bytes);
    try {
      for await (const chunk of conn.readable) {
        if (stream.closed) break;
        await send(FRAME.DATA, id, chunk);
      }
    } catch { /* reset by the server */ }
    end(id, true);
  };
  const write = (stream: Stream, bytes: Uint8Array) => {
    const conn = stream.conn!;
    stream.writes = stream.writes.then(() => writeAll(conn, bytes)).catch(() => {});
  };

  const parser = new FrameParser();
  try {
    for await (const chunk of input) {
      for (const { type, id, payload } of parser.push(chunk)) {
        if (type === FRAME.OPEN && payload.length >= 6) {
          const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
          void open(id, view.getUint16(0), view.getUint32(2));
        } else if (type === FRAME.DATA) {
          const stream = streams.get(id);
          if (!stream) continue;
          if (stream.conn) write(stream, payload);
          else stream.early.push(payload);
        } else if (type === FRAME.CLOSE) {
          end(id, false);
        }
      }
    }
  } catch { /* stdin broken: velora is gone */ }
  for (const id of [...streams.keys()]) end(id, false);
  await sending;
  await writer.close().catch(() => {});
  return 0;
}

async function connect(port: number, waitMs: number): Promise<Deno.TcpConn | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await Deno.connect({ hostname: "127.0.0.1", port });
    } catch {
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}
