/**
 * Runs the velora CLI from source as a child process, the way users run it.
 *
 * @module
 */
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const MAIN = join(ROOT, "main.ts");
const CONFIG = join(ROOT, "deno.json");

/** The result of a finished velora process. */
export interface VeloraResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for running velora. */
export interface VeloraOptions {
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Text sent to standard input (none when absent). */
  stdin?: string;
}

function command(args: string[], options: VeloraOptions): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "--config", CONFIG, MAIN, ...args],
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs velora to completion. */
export async function velora(args: string[], options: VeloraOptions = {}): Promise<VeloraResult> {
  const child = command(args, options).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** A velora process running in the background, with its output collected as it comes. */
export interface RunningVelora {
  pid: number;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  kill(signal: Deno.Signal): void;
  /** Resolves when it exits. */
  done: Promise<VeloraResult & { signal: Deno.Signal | null }>;
}

/** Starts velora in the background. */
export function spawnVelora(args: string[], options: VeloraOptions = {}): RunningVelora {
  const child = command(args, options).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    writer.write(new TextEncoder().encode(options.stdin)).then(() => writer.close()).catch(
      () => {},
    );
  }
  let out = "";
  let err = "";
  const collect = async (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) add(text);
  };
  const done = Promise.all([
    collect(child.stdout, (t) => (out += t)),
    collect(child.stderr, (t) => (err += t)),
    child.status,
  ]).then(([, , status]) => ({
    code: status.code,
    signal: status.signal,
    stdout: out,
    stderr: err,
  }));
  return {
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
    done,
  };
}

/** Polls until `check` returns true, or fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads a file, or "" when it does not exist. */
export async function readOrEmpty(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

/** Lists every entry under a directory, relative, sorted ([] when it does not exist). */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string) => {
    for await (const entry of Deno.readDir(join(dir, sub))) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      out.push(rel);
      if (entry.isDirectory) await walk(rel);
    }
  };
  try {
    await walk("");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort();
}
