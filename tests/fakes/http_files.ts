/**
 * A static file server on 127.0.0.1 for image-loading tests: serves a folder over HTTP/1.1 with
 * `Range` support, counts the body bytes it sends, and can cut one file short mid-transfer (it
 * then closes the connection, as a failing server or network would) or hold one mid-transfer
 * until the test releases it (a slow download to interrupt).
 *
 * It speaks HTTP on a plain TCP listener (one request per connection, `Connection: close`), so a
 * cut is a real short body; `Deno.serve` would keep the connection open instead.
 *
 * @module
 */
import { join } from "node:path";

/** A running file server. */
export interface FileServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Body bytes sent so far (all requests). */
  bytesSent(): number;
  /** Requests served so far, as `METHOD /path range`. */
  requests(): string[];
  /** Sends only the first `bytes` of `name` on GETs without Range, then closes the connection. */
  cutShort(name: string, bytes: number): void;
  /** Sends the first `bytes` of `name` on GETs without Range, then waits for `release()`. */
  hold(name: string, bytes: number): Hold;
  /** Stops the server. */
  close(): Promise<void>;
}

/** A transfer held mid-way by {@linkcode FileServer.hold}. */
export interface Hold {
  /** Whether a transfer has reached the held byte. */
  reached(): boolean;
  /** Lets held transfers go on. */
  release(): void;
}

const encoder = new TextEncoder();

/** Serves `dir` on 127.0.0.1 (a random port). */
export function serveFiles(dir: string): FileServer {
  let sent = 0;
  const log: string[] = [];
  const cuts = new Map<string, number>();
  const holds = new Map<
    string,
    { bytes: number; reached: boolean; released: PromiseWithResolvers<void> }
  >();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();

  async function readHead(conn: Deno.Conn): Promise<string | undefined> {
    const buffer = new Uint8Array(16 * 1024);
    let length = 0;
    while (length < buffer.length) {
      const n = await conn.read(buffer.subarray(length));
      if (n === null) return undefined;
      length += n;
      const text = new TextDecoder().decode(buffer.subarray(0, length));
      if (text.includes("\r\n\r\n")) return text;
    }
    return undefined;
  }

  async function writeAll(conn: Deno.Conn, bytes: Uint8Array) {
    let at = 0;
    while (at < bytes.length) at += await conn.write(bytes.subarray(at));
  }

  async function respond(conn: Deno.Conn, status: string, headers: Record<string, string>) {
    const lines = [`HTTP/1.1 ${status}`, "connection: close"];
    for (const [key, value] of Object.entries(headers)) lines.push(`${key}: ${value}`);
    await writeAll(conn, encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
  }

  async function handle(conn: Deno.Conn) {
    const head = await readHead(conn);
    if (!head) return;
    const [requestLine, ...headerLines] = head.split("\r\n\r\n")[0]!.split("\r\n");
    const [method, target] = requestLine!.split(" ");
    const headers = new Map(
      headerLines.map((line) => {
        const colon = line.indexOf(":");
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
    const name = decodeURIComponent(new URL(target!, "http://x").pathname.slice(1));
    const range = headers.get("range");
    log.push(`${method} /${name}${range ? ` ${range}` : ""}`);
    let file: Deno.FsFile;
    try {
      if (name.includes("..")) throw new Deno.errors.NotFound();
      file = await Deno.open(join(dir, name));
    } catch {
      const body = encoder.encode("not found\n");
      await respond(conn, "404 Not Found", { "content-length": String(body.length) });
      if (method !== "HEAD") await writeAll(conn, body);
      return;
    }
    try {
      const size = (await file.stat()).size;
      let start = 0;
      let end = size - 1;
      let status = "200 OK";
      const extra: Record<string, string> = { "accept-ranges": "bytes", etag: `"${size}"` };
      const match = range ? /^bytes=(\d*)-(\d*)$/.exec(range) : null;
      if (match) {
        if (match[1] === "") start = Math.max(0, size - Number(match[2]));
        else {
          start = Number(match[1]);
          if (match[2] !== "") end = Math.min(end, Number(match[2]));
        }
        if (start > end) {
          await respond(conn, "416 Range Not Satisfiable", {
            "content-range": `bytes */${size}`,
            "content-length": "0",
          });
          return;
        }
        status = "206 Partial Content";
        extra["content-range"] = `bytes ${start}-${end}/${size}`;
      }
      await respond(conn, status, { ...extra, "content-length": String(end - start + 1) });
      if (method === "HEAD") return;
      await file.seek(start, Deno.SeekMode.Start);
      let left = Math.min(end - start + 1, match ? Infinity : cuts.get(name) ?? Infinity);
      const held = match ? undefined : holds.get(name);
      let untilHold = held ? held.bytes : Infinity;
      const buffer = new Uint8Array(64 * 1024);
      while (left > 0) {
        if (held && untilHold === 0) {
          held.reached = true;
          await held.released.promise;
          untilHold = Infinity;
        }
        const n = await file.read(buffer.subarray(0, Math.min(buffer.length, left, untilHold)));
        if (n === null) break;
        await writeAll(conn, buffer.subarray(0, n));
        sent += n;
        left -= n;
        untilHold -= n;
      }
    } finally {
      file.close();
    }
  }

  const serving = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      handle(conn).catch(() => {}).finally(() => {
        open.delete(conn);
        try {
          conn.close();
        } catch { /* closed */ }
      });
    }
  })().catch(() => {});

  const port = (listener.addr as Deno.NetAddr).port;
  return {
    url: `http://127.0.0.1:${port}`,
    bytesSent: () => sent,
    requests: () => [...log],
    cutShort: (name, bytes) => cuts.set(name, bytes),
    hold(name, bytes) {
      const entry = { bytes, reached: false, released: Promise.withResolvers<void>() };
      holds.set(name, entry);
      return { reached: () => entry.reached, release: () => entry.released.resolve() };
    },
    async close() {
      for (const entry of holds.values()) entry.released.resolve();
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await serving;
    },
  };
}
