/**
 * velora's end of `runtime-server --relay` (runtime-server/relay.ts): numbered streams to ports of
 * a shared network namespace, carried over the attached stdin and stdout of the container that
 * runs the relay. Opening one costs a frame, not a process.
 *
 * @module
 */
import type { ExecStream } from "../docker/streams.ts";
import { encodeFrame, FRAME, FrameParser } from "../../runtime-server/relay.ts";

interface Stream {
  controller: ReadableStreamDefaultController<Uint8Array>;
  closed: boolean;
}

/** The streams of one relay process. */
export class RelayMux {
  readonly #io: ExecStream;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #streams = new Map<number, Stream>();
  #sending = Promise.resolve();
  #next = 1;
  #over = false;
  /** Resolves when the relay's output ended: it exited, or {@linkcode RelayMux.close}. */
  readonly ended: Promise<void>;

  constructor(io: ExecStream) {
    this.#io = io;
    this.#writer = io.writable.getWriter();
    this.ended = this.#read();
  }

  /** Whether the relay is gone. */
  get over(): boolean {
    return this.#over;
  }

  /**
   * A stream to 127.0.0.1:`port` of the relay's namespace; the relay waits up to `waitMs` for
   * something to listen there. It ends at once when the relay cannot connect.
   */
  dial(port: number, waitMs: number): ExecStream {
    const id = this.#next++;
    const target = new Uint8Array(6);
    new DataView(target.buffer).setUint16(0, port);
    new DataView(target.buffer).setUint32(2, Math.min(waitMs, 0xffffffff));
    let stream: Stream | undefined;
    const readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        stream = { controller, closed: false };
        if (this.#over) return this.#finish(stream);
        this.#streams.set(id, stream);
      },
      cancel: () => close(),
    });
    const close = () => {
      if (!stream || stream.closed) return;
      this.#streams.delete(id);
      this.#finish(stream);
      this.#send(FRAME.CLOSE, id);
    };
    if (!this.#over) this.#send(FRAME.OPEN, id, target);
    const writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (!stream || stream.closed) throw new Error("the relay stream is closed");
        return this.#send(FRAME.DATA, id, chunk);
      },
      close,
      abort: close,
    });
    return { readable, writable, close };
  }

  /** Ends every stream and the connection to the relay (which then exits). */
  close(): void {
    this.#over = true;
    this.#io.close();
    this.#endAll();
  }

  #send(type: number, id: number, payload?: Uint8Array): Promise<void> {
    const frame = encodeFrame(type, id, payload);
    this.#sending = this.#sending.then(() => this.#writer.write(frame)).catch(() => {});
    return this.#sending;
  }

  async #read(): Promise<void> {
    const parser = new FrameParser();
    try {
      for await (const chunk of this.#io.readable) {
        for (const { type, id, payload } of parser.push(chunk)) {
          const stream = this.#streams.get(id);
          if (!stream) continue;
          if (type === FRAME.DATA) {
            try {
              stream.controller.enqueue(payload);
            } catch { /* cancelled meanwhile */ }
          } else if (type === FRAME.CLOSE) {
            this.#streams.delete(id);
            this.#finish(stream);
          }
        }
      }
    } catch { /* the connection broke */ }
    this.#over = true;
    this.#endAll();
  }

  #endAll(): void {
    for (const stream of this.#streams.values()) this.#finish(stream);
    this.#streams.clear();
  }

  #finish(stream: Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    try {
      stream.controller.close();
    } catch { /* already closed or errored */ }
  }
}
