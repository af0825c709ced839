/**
 * `velora sandbox <image>`: start a sandbox and type commands into its bash session.
 * Each line is sent as a `run` action; ^C interrupts the running command; EOF or `exit` ends it.
 *
 * @module
 */
import process from "node:process";
import { createInterface } from "node:readline";
import { connect, ping } from "../docker/client.ts";
import { imageExists } from "../docker/images.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_SANDBOX_NETWORK, parseNetworkMode } from "../runtime/network.ts";
import type { CmdOutputMetadata, Observation } from "../runtime/protocol.ts";
import { Sandbox } from "../runtime/sandbox.ts";
import { withInterrupts } from "./_interrupt.ts";

/** Flags of `velora sandbox`. */
export interface SandboxFlags {
  workdir: string;
  timeout?: number;
  /** none, bridge or host. @default "bridge" */
  network?: string;
}

/** Implements `velora sandbox`. */
export async function sandboxCommand(image: string, flags: SandboxFlags): Promise<void> {
  const network = parseNetworkMode(flags.network ?? DEFAULT_SANDBOX_NETWORK);
  const docker = connect();
  await ping(docker);
  if (!(await imageExists(docker, image))) {
    throw new UsageError(
      `Image "${image}" is not loaded (see "docker images" or velora images load)`,
    );
  }
  const started = performance.now();
  const sandbox = await Sandbox.start(docker, {
    image,
    run: `sandbox-${crypto.randomUUID()}`,
    workingDir: flags.workdir,
    network,
  });
  const interactive = Deno.stdin.isTerminal();
  let busy = false;
  try {
    // ^C while a command runs goes to that command; otherwise it ends the session.
    const intercept = () => {
      if (busy) sandbox.run("C-c").catch(() => {});
      return busy;
    };
    await withInterrupts(async ({ signal, onStopNow }) => {
      onStopNow(() => sandbox.close());
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      console.error(
        `Sandbox ready in ${seconds}s (${image}, network ${network}, server at ${sandbox.url}).`,
      );
      console.error(
        "Each line runs in one bash session; an empty line fetches more output; exit ends.",
      );
      const lines = createInterface({ input: process.stdin, terminal: interactive });
      signal.addEventListener("abort", () => lines.close(), { once: true });
      let cwd = flags.workdir;
      if (interactive) Deno.stdout.writeSync(new TextEncoder().encode(`${cwd}$ `));
      for await (const line of lines) {
        if (line.trim() === "exit") break;
        busy = true;
        const observation = await sandbox.run(
          line,
          flags.timeout === undefined ? {} : { timeout: flags.timeout },
        );
        busy = false;
        console.log(render(observation));
        const metadata = observation.extras.metadata as Partial<CmdOutputMetadata> | undefined;
        if (metadata?.working_dir) cwd = metadata.working_dir;
        if (interactive) Deno.stdout.writeSync(new TextEncoder().encode(`${cwd}$ `));
        if (signal.aborted) break;
      }
    }, { intercept, stopping: "Stopping: closing the sandbox (press ^C again to exit now)" });
  } finally {
    await sandbox.close();
  }
}

function render(observation: Observation): string {
  const metadata = observation.extras.metadata as Partial<CmdOutputMetadata> | undefined;
  return `${metadata?.prefix ?? ""}${observation.content}${metadata?.suffix ?? ""}`;
}
