/**
 * The runtime server's command line: an OpenHands action-execution-compatible HTTP server.
 *
 *     deno run -A --no-config runtime-server/main.ts 8000 --working-dir /workspace
 *
 * The `velora` executable calls {@linkcode main} as `velora runtime-server ...`.
 *
 * Environment: `SESSION_API_KEY` (require `X-Session-API-Key`), `NO_CHANGE_TIMEOUT_SECONDS`
 * (bash soft timeout, default 10), `VELORA_BASH_MODE` (`auto`, `pty` or `pipe`).
 *
 * `--owner-timeout S` makes the server exit with code 3 when its owner sent no request for `S`
 * seconds (see owner_watch.ts); `--help` describes every flag. `--relay` (alone) runs the
 * connection relay of a shared sandbox network instead (relay.ts); `--install <from> <to>` copies
 * velora's files out of its runtime image for a Kubernetes sandbox (install.ts).
 *
 * @module
 */

import { ActionExecutor } from "./actions.ts";
import { type BashMode, BashSession } from "./bash_session.ts";
import { HELP, parseServerArgs, type ServerArgs, ServerArgsError, USAGE } from "./cli_args.ts";
import { OWNER_GONE_EXIT_CODE, OwnerWatch } from "./owner_watch.ts";
import { resolveAgainst, sleep } from "./_private.ts";
import { installMain } from "./install.ts";
import { relayMain } from "./relay.ts";
import { createHandler } from "./server.ts";

/**
 * Runs the server until SIGINT or SIGTERM and answers the process exit code (2 for a usage
 * error, 3 when `--owner-timeout` ran out). `GET /alive` only answers once the bash session is
 * ready.
 */
export async function main(args: string[]): Promise<number> {
  if (args.length === 1 && args[0] === "--relay") return await relayMain();
  if (args[0] === "--install") return await installMain(args.slice(1));
  let options: ServerArgs;
  try {
    options = parseServerArgs(args);
  } catch (error) {
    if (error instanceof ServerArgsError) {
      console.error(`${USAGE}\nruntime-server: error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    console.log(HELP);
    return 0;
  }
  for (const warning of options.warnings) console.error(`velora runtime server: ${warning}`);
  const workDir = resolveAgainst(Deno.cwd(), options.workingDir);
  await Deno.mkdir(workDir, { recursive: true });
  const noChange = Number.parseFloat(Deno.env.get("NO_CHANGE_TIMEOUT_SECONDS") ?? "10");
  const modeEnv = Deno.env.get("VELORA_BASH_MODE");
  const mode: BashMode | "auto" = modeEnv === "pty" || modeEnv === "pipe" ? modeEnv : "auto";
  const bash = await BashSession.start({
    workDir,
    noChangeTimeoutSeconds: Number.isFinite(noChange) && noChange > 0 ? noChange : 10,
    mode,
  });
  const executor = new ActionExecutor({ workDir, userId: options.userId, bash });
  const apiKey = Deno.env.get("SESSION_API_KEY") || null;
  const abort = new AbortController();
  const stop = () => abort.abort();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  let ownerGone = false;
  let watch: OwnerWatch | null = null;
  try {
    const server = Deno.serve(
      {
        hostname: options.host,
        port: options.port,
        signal: abort.signal,
        onListen: ({ hostname, port }) =>
          console.error(
            `velora runtime server listening on http://${hostname}:${port} ` +
              `(working dir ${workDir}, bash over ${bash.mode}` +
              `${options.ownerTimeout > 0 ? `, owner timeout ${options.ownerTimeout}s` : ""})`,
          ),
      },
      createHandler({
        executor,
        workDir,
        sessionApiKey: apiKey,
        startTime: Date.now(),
        onOwnerRequest: () => watch?.seen(),
      }),
    );
    // Deno.serve listens before it returns: the clock starts when the owner can reach the server.
    if (options.ownerTimeout > 0) {
      watch = new OwnerWatch(options.ownerTimeout, (quiet) => {
        ownerGone = true;
        console.error(
          `velora runtime server: no request from its owner for ${quiet.toFixed(1)}s ` +
            `(--owner-timeout ${options.ownerTimeout}); exiting`,
        );
        stop();
      });
    }
    // A graceful shutdown waits for requests in flight, and a command may run for minutes: when
    // the owner is gone, nobody waits for its answer, so the shell is killed first.
    await Promise.race([server.finished, abortedBy(abort.signal)]);
    if (ownerGone) {
      await bash.close();
      await Promise.race([server.finished, sleep(2_000)]);
    } else {
      await server.finished;
    }
  } finally {
    watch?.close();
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
    await bash.close();
  }
  return ownerGone ? OWNER_GONE_EXIT_CODE : 0;
}

function abortedBy(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
