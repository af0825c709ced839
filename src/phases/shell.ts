/**
 * The `shell` phase: runs a command. The run directory, the phase name and its parameters are in
 * the command's environment; a non-zero exit fails the phase.
 *
 * @module
 */
import { z } from "zod";
import { PhaseFailedError } from "../errors.ts";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";

const schema = phaseSchema("shell", {
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).describe(
    "A bash command line, or an argv list run without a shell",
  ),
  cwd: z.string().optional().describe("Working directory (default: where velora was started)"),
  env: z.record(z.string(), z.string()).default({}).describe("Extra environment variables"),
  timeout: z.number().positive().optional().describe("Seconds before the command is killed"),
});

/** The `shell` phase kind. */
export const shellPhase = definePhase({
  kind: "shell",
  description: "Run a command; a non-zero exit fails the phase",
  schema,
  async run(params, ctx) {
    const argv = typeof params.command === "string"
      ? ["bash", "-c", params.command]
      : params.command;
    const [program, ...args] = argv as [string, ...string[]];
    const started = performance.now();
    const child = spawnOrFail(program, {
      args,
      ...(params.cwd ? { cwd: params.cwd } : {}),
      env: {
        VELORA_RUN_DIR: ctx.runDir ?? Deno.cwd(),
        VELORA_PHASE: ctx.phase,
        VELORA_PIPELINE: ctx.pipelineFile ?? "",
        VELORA_PARAMS: JSON.stringify(params),
        ...params.env,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const untrack = ctx.trackChild(child);
    const log = ctx.logFile
      ? await Deno.open(ctx.logFile, { create: true, append: true })
      : undefined;
    const where = ctx.logFile ? ` (log: ${ctx.logFile})` : "";
    let timedOut = false;
    const timer = params.timeout === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, params.timeout * 1000);
    try {
      const echo = (stream: ReadableStream<Uint8Array>) =>
        stream.pipeThrough(new TextDecoderStream()).pipeThrough(lines()).pipeTo(
          new WritableStream({
            async write(line) {
              const bytes = new TextEncoder().encode(ctx.redact(line));
              await log?.write(bytes);
              await Deno.stderr.write(bytes);
            },
          }),
        );
      await Promise.all([echo(child.stdout), echo(child.stderr)]);
      const status = await child.status;
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      if (timedOut) {
        throw new PhaseFailedError(
          `Command timed out after ${params.timeout}s${where}`,
        );
      }
      if (!status.success) {
        const how = status.signal ? `was killed by ${status.signal}` : `exited ${status.code}`;
        throw new PhaseFailedError(`Command ${how}${where}`);
      }
      return { exit_code: status.code, seconds };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      untrack();
      log?.close();
    }
  },
});

function spawnOrFail(program: string, options: Deno.CommandOptions): Deno.ChildProcess {
  try {
    return new Deno.Command(program, options).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new PhaseFailedError(`Cannot run "${program}": no such program`);
    }
    throw error;
  }
}

/** Splits text into lines (each keeping its "\n"), so a secret is never cut across two writes. */
function lines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const part of parts) controller.enqueue(part + "\n");
      if (rest.length > 65536) { // a very long line without "\n" (a progress bar): pass it on
        controller.enqueue(rest);
        rest = "";
      }
    },
    flush(controller) {
      if (rest) controller.enqueue(rest);
    },
  });
}
