/**
 * Writing files into a container: a small in-memory tar sent to the Engine's archive endpoint,
 * so content of any size and bytes arrives intact (no shell quoting, no argument-length limit).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { concatBytes } from "./_private.ts";
import type { Container } from "./containers.ts";

/** A file to write: an absolute path inside the container and its content. */
export interface FileToPut {
  path: string;
  content: string | Uint8Array;
  /** @default 0o644 */
  mode?: number;
  /** The tar entry type (`0` file, `5` folder, ...). @default "0" */
  type?: string;
}

/** Writes files into a container (parent folders are created). */
export async function putFiles(container: Container, files: readonly FileToPut[]): Promise<void> {
  const tar = makeTar(files);
  // docker-modem sends a Buffer as the body; anything else it treats as a stream.
  await container.putArchive(Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength), {
    path: "/",
  });
}

/**
 * Builds a ustar archive (long names through a pax header); absolute paths are stored relative to
 * `/`, as an archive extracted at `/` wants them.
 */
export function makeTar(files: readonly FileToPut[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const add = (name: string, type: string, body: Uint8Array, mode: number) => {
    parts.push(
      header(name, body.length, type, mode),
      body,
      new Uint8Array((512 - (body.length % 512)) % 512),
    );
  };
  for (const file of files) {
    const body = typeof file.content === "string" ? encoder.encode(file.content) : file.content;
    const path = file.path.replace(/^\/+/, "");
    if (encoder.encode(path).length > 99) {
      const record = paxRecord("path", path);
      add("././@PaxHeader", "x", encoder.encode(record), 0o644);
    }
    add(path.slice(0, 99), file.type ?? "0", body, file.mode ?? 0o644);
  }
  parts.push(new Uint8Array(1024));
  return concatBytes(parts);
}

function header(name: string, size: number, type: string, mode: number): Uint8Array {
  const block = new Uint8Array(512);
  const put = (text: string, at: number, length: number) =>
    block.set(new TextEncoder().encode(text).subarray(0, length), at);
  const octal = (value: number, length: number) =>
    value.toString(8).padStart(length - 1, "0") + "\0";
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(Date.now() / 1000), 12), 136, 12);
  put("        ", 148, 8);
  put(type, 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return block;
}

/** A pax record `<len> key=value\n` (the length, in bytes, counts itself). */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = new TextEncoder().encode(body).length;
  let length = bytes + 1;
  while (String(length).length + bytes !== length) length = String(length).length + bytes;
  return `${length}${body}`;
}
