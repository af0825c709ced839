/**
 * Processes in pods through the API server's exec endpoint (WebSocket, `v5.channel.k8s.io`, so
 * stdin can be closed): a command run to its end, or a byte stream to a process (the relay into a
 * sandbox's network namespace). Works from anywhere the API server is reachable.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { PassThrough, Writable } from "node:stream";
import { Collector, type ExecResult } from "../docker/containers.ts";
import type { ExecStream } from "../docker/streams.ts";
import type { k8s, Kube } from "./client.ts";

/** A pod's container. */
export interface PodContainer {
  pod: string;
  container: string;
}

/** The exit code in an exec's final status (0 on `Success`). */
export function exitCodeOf(status: k8s.V1Status | undefined): number {
  if (status?.status === "Success") return 0;
  const cause = status?.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  if (Number.isInteger(code)) return code;
  throw new Error(`exec failed: ${status?.message ?? "the API server sent no status"}`);
}

/**
 * Runs `cmd` (no shell) in a pod's container and waits for it; `stdin` is sent and then closed.
 */
export async function execInPod(
  kube: Kube,
  target: PodContainer,
  cmd: string[],
  stdin?: Uint8Array,
): Promise<ExecResult> {
  const stdout = new Collector();
  const stderr = new Collector();
  const input = stdin === undefined ? null : new PassThrough();
  let status: k8s.V1Status | undefined;
  const socket = await startExec(kube, target, cmd, { stdout, stderr, stdin: input }, (s) => {
    status = s;
  });
  const closed = new Promise<void>((resolve) => {
    socket.addEventListener("close", () => resolve());
  });
  if (input && stdin) input.end(Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength));
  await closed;
  return { exitCode: exitCodeOf(status), stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * Starts `cmd` in a pod's container with stdin attached and answers its stdout and stdin as web
 * streams (stderr dropped): what a relay carries connections over.
 */
export async function openPodStream(
  kube: Kube,
  target: PodContainer,
  cmd: string[],
): Promise<ExecStream> {
  let push: ((chunk: Uint8Array) => void) | undefined;
  let end: (() => void) | undefined;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      let done = false;
      push = (chunk) => {
        if (!done) controller.enqueue(chunk);
      };
      end = () => {
        if (done) return;
        done = true;
        try {
          controller.close();
        } catch { /* already closed */ }
      };
    },
  });
  const stdout = new Writable({
    write(chunk: Uint8Array, _encoding, callback) {
      push!(new Uint8Array(chunk));
      callback();
    },
    final(callback) {
      end!();
      callback();
    },
  });
  const stdin = new PassThrough();
  const socket = await startExec(kube, target, cmd, { stdout, stderr: null, stdin });
  socket.addEventListener("close", () => end!());
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    end!();
    socket.close();
  };
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      stdin.write(Buffer.from(chunk));
    },
    close() {
      stdin.end();
    },
    abort() {
      close();
    },
  });
  return { readable, writable, close };
}

/** Starts an exec (no TTY) with the given streams attached; its WebSocket. */
function startExec(
  kube: Kube,
  target: PodContainer,
  cmd: string[],
  streams: { stdout: Writable; stderr: Writable | null; stdin: PassThrough | null },
  onStatus?: (status: k8s.V1Status) => void,
) {
  return new kube.lib.Exec(kube.config).exec(
    kube.namespace,
    target.pod,
    target.container,
    cmd,
    streams.stdout,
    streams.stderr,
    streams.stdin,
    false,
    onStatus,
  );
}
