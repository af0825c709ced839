/**
 * One-shot commands for `run` actions with `is_static` (OpenHands runs them outside the
 * persistent session, in a fresh bash session in the given `cwd`). The shell prints the same
 * prompt marker as the session when it exits, so the observation carries the user, host, Python
 * path and working directory as OpenHands' fresh session reports them.
 *
 * @module
 */

import {
  catchInterruptSignals,
  descendantPids,
  findExecutable,
  pyRstrip,
  pythonFloat,
  trySignal,
} from "./_private.ts";
import { TIMEOUT_MESSAGE } from "./bash_session.ts";
import {
  cmdOutputObservation,
  defaultMetadata,
  type Observation,
  TRUNCATION_NOTICE,
} from "./observations.ts";
import { BoundedOutput } from "./output_buffer.ts";
import { type PromptInfo, PromptScanner, promptSetup } from "./prompt_marker.ts";
import { renderTerminalText } from "./terminal_text.ts";

/** Runs `command` with `bash -c` in `cwd`, stdout and stderr merged, killed after `timeout` s. */
export async function runStaticCommand(
  command: string,
  cwd: string,
  timeout: number | null,
  env: Record<string, string>,
  hidden = false,
): Promise<Observation> {
  const bash = findExecutable("bash") ?? "/bin/bash";
  const nonce = crypto.randomUUID().replaceAll("-", "");
  const script = [
    "exec 2>&1",
    `__velora_user=$(id -un 2>/dev/null || echo "$USER")`,
    ...promptSetup(nonce),
    `trap '__velora_marker "$?" "$!"' EXIT`,
    command,
  ].join("\n");
  catchInterruptSignals();
  const proc = new Deno.Command(bash, {
    args: ["-c", script],
    cwd,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const out = new BoundedOutput();
  let prompt: PromptInfo | null = null;
  const scanner = new PromptScanner(nonce, (bytes) => out.push(bytes), (info) => prompt = info);
  const pumps = Promise.all([
    (async () => {
      for await (const chunk of proc.stdout) scanner.push(chunk);
      scanner.flush();
    })(),
    (async () => {
      for await (const chunk of proc.stderr) out.push(chunk);
    })(),
  ]);
  let timedOut = false;
  const timer = timeout
    ? setTimeout(() => {
      timedOut = true;
      for (const pid of descendantPids(proc.pid)) trySignal(pid, "SIGKILL");
      trySignal(proc.pid, "SIGKILL");
    }, timeout * 1000)
    : undefined;
  const status = await proc.status;
  await pumps;
  clearTimeout(timer);
  const parts = out.parts();
  const decoder = new TextDecoder();
  const content = parts.gap
    ? renderTerminalText(decoder.decode(parts.head)) + TRUNCATION_NOTICE +
      renderTerminalText(decoder.decode(parts.tail))
    : renderTerminalText(decoder.decode(parts.bytes));
  const metadata = defaultMetadata();
  if (timedOut) {
    metadata.suffix = `\n[The command timed out after ${pythonFloat(timeout!)} seconds. ` +
      `${TIMEOUT_MESSAGE}]`;
  } else {
    const info = prompt as PromptInfo | null;
    metadata.exit_code = info?.exitCode ?? status.code;
    metadata.working_dir = info?.workingDir || cwd;
    if (info) {
      metadata.pid = info.pid;
      metadata.username = info.username;
      metadata.hostname = info.hostname;
      metadata.py_interpreter_path = info.pyInterpreterPath;
    }
    metadata.suffix = `\n[The command completed with exit code ${metadata.exit_code}.]`;
  }
  return cmdOutputObservation(pyRstrip(content), command, metadata, hidden);
}
