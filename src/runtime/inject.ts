/**
 * How the runtime server gets into an unchanged instance image: what to mount read-only at
 * `/velora` and which command to run. One function decides, for the three ways velora runs:
 *
 * - from source: mount the `deno` executable and `runtime-server/`, run `deno run ... main.ts`;
 * - bundled (`deno run dist/velora.js`): mount `deno` and the bundle file, run
 *   `deno run ... velora.js runtime-server ...`;
 * - compiled: mount the velora executable itself and run `velora runtime-server ...`.
 *
 * `VELORA_SANDBOX_EXECUTABLE` names a compiled velora to mount instead, whatever the mode (for
 * hosts whose own executable cannot run in the containers, such as macOS).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.ts";
import { type RunMode, runMode } from "../version.ts";

/** Where velora's files appear inside the sandbox. */
export const MOUNT_DIR = "/velora";

/** How this velora process runs. */
export interface Runner {
  /** From source, as one bundled file, or as a compiled executable. */
  mode: RunMode;
  /** The executable to mount: `deno` (source, bundle) or a compiled velora. */
  execPath: string;
  /** The `runtime-server/` folder (source mode). */
  serverDir?: string;
  /** The bundled velora file (bundle mode). */
  bundleFile?: string;
}

/** The server's own arguments. */
export interface ServerArgs {
  port: number;
  workingDir: string;
  /** Address to bind. @default "127.0.0.1" */
  host?: string;
  /** @default "root" */
  username?: string;
  /** @default 0 */
  userId?: number;
  /** `--owner-timeout`: seconds without a request from velora before the server exits; 0 is off. */
  ownerTimeout?: number;
}

/** What the container needs: mounts, entrypoint, command and environment. */
export interface Injection {
  binds: string[];
  entrypoint: string[];
  cmd: string[];
  /** The part of `cmd` before the server's own arguments. */
  launch: string[];
  env: Record<string, string>;
}

/** What {@linkcode describeRunner} needs to know about the process. */
export interface RunnerProbe {
  mode: RunMode;
  /** `Deno.execPath()`, symlinks resolved. */
  execPath: string;
  /** `Deno.mainModule`. */
  mainModule: string;
  /** `VELORA_SANDBOX_EXECUTABLE`, when set. */
  sandboxExecutable?: string;
}

/** Describes the current process. */
export function currentRunner(): Runner {
  const override = Deno.env.get("VELORA_SANDBOX_EXECUTABLE");
  return describeRunner({
    mode: runMode(),
    execPath: Deno.realPathSync(Deno.execPath()),
    mainModule: Deno.mainModule,
    ...(override ? { sandboxExecutable: executable(override) } : {}),
  });
}

function executable(path: string): string {
  try {
    const real = Deno.realPathSync(path);
    if (Deno.statSync(real).isFile) return real;
  } catch { /* reported below */ }
  throw new UsageError(`VELORA_SANDBOX_EXECUTABLE="${path}" is not a file`);
}

/** The {@linkcode Runner} for a process (pure; {@linkcode currentRunner} probes this one). */
export function describeRunner(probe: RunnerProbe): Runner {
  if (probe.sandboxExecutable) return { mode: "compiled", execPath: probe.sandboxExecutable };
  switch (probe.mode) {
    case "compiled":
      return { mode: "compiled", execPath: probe.execPath };
    case "bundle": {
      if (!probe.mainModule.startsWith("file:")) {
        throw new UsageError(
          `Cannot mount the bundle "${probe.mainModule}" into sandboxes: it is not a local file`,
        );
      }
      return {
        mode: "bundle",
        execPath: probe.execPath,
        bundleFile: fileURLToPath(probe.mainModule),
      };
    }
    case "source":
      return {
        mode: "source",
        execPath: probe.execPath,
        serverDir: fileURLToPath(new URL("../../runtime-server", import.meta.url)),
      };
  }
}

/**
 * Decides the mounts and command that start the runtime server in a container. `cacheDir` is a
 * warm Deno cache on the host (see server_cache.ts), mounted read-only; only source mode uses one.
 */
export function planInjection(runner: Runner, args: ServerArgs, cacheDir?: string): Injection {
  const serverArgs = [
    String(args.port),
    "--working-dir",
    args.workingDir,
    "--host",
    args.host ?? "127.0.0.1",
    "--username",
    args.username ?? "root",
    "--user-id",
    String(args.userId ?? 0),
    "--no-enable-browser",
    ...(args.ownerTimeout ? ["--owner-timeout", String(args.ownerTimeout)] : []),
  ];
  // Deno caches transpiled modules; the image may have no writable home, /tmp always is.
  const warm = runner.mode === "source" ? cacheDir : undefined;
  const cache = warm ? `${MOUNT_DIR}/cache` : "/tmp/.velora-deno";
  const env = { DENO_DIR: cache, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  const cacheBinds = warm ? [`${warm}:${cache}:ro`] : [];
  const plan = (binds: string[], entrypoint: string, launch: string[]): Injection => ({
    binds,
    entrypoint: [entrypoint],
    cmd: [...launch, ...serverArgs],
    launch,
    env,
  });
  const deno = `${MOUNT_DIR}/bin/deno`;
  const denoRun = ["run", "-A", "--no-config", "--no-lock", "--quiet"];
  switch (runner.mode) {
    case "compiled": {
      const exe = `${MOUNT_DIR}/bin/velora`;
      return plan([`${runner.execPath}:${exe}:ro`], exe, ["runtime-server"]);
    }
    case "bundle": {
      if (!runner.bundleFile) throw new Error("Bundle mode needs the bundle file");
      const bundle = `${MOUNT_DIR}/velora.js`;
      return plan(
        [`${runner.execPath}:${deno}:ro`, `${runner.bundleFile}:${bundle}:ro`],
        deno,
        [...denoRun, bundle, "runtime-server"],
      );
    }
    case "source": {
      if (!runner.serverDir) throw new Error("Source mode needs the runtime-server folder");
      const server = `${MOUNT_DIR}/runtime-server`;
      return plan(
        [`${runner.execPath}:${deno}:ro`, `${runner.serverDir}:${server}:ro`, ...cacheBinds],
        deno,
        [...denoRun, `${server}/main.ts`],
      );
    }
  }
}

/**
 * The mounts and command of `runtime-server --relay`, the connection relay of a shared sandbox
 * network (network.ts): the server's own, with `--relay` for its arguments.
 */
export function planRelay(runner: Runner, cacheDir?: string): Injection {
  const server = planInjection(runner, { port: 0, workingDir: "/" }, cacheDir);
  return { ...server, cmd: [...server.launch, "--relay"] };
}
