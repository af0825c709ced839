/**
 * Infrastructure failures of an evaluation: the container was killed, stopped, removed or ran
 * out of memory while the tests ran, or the engine failed an exec. Such a run says nothing about
 * the patch: the instance gets the `error_infra` category, never a test verdict, and is not kept
 * as evaluated, so the next run evaluates it again. Pure.
 *
 * A killed container can still look running for a moment, and an exec into it then "succeeds"
 * with the engine's message as its output (`cannot exec in a stopped state`, exit 126). So the
 * harness reads the test log back first and inspects the container after that: a container that
 * is not running by then, or a read that did not exit 0, means the log cannot be trusted.
 *
 * @module
 */

import type { ContainerState } from "../docker/containers.ts";

/** One finished exec in the evaluation container. */
export interface ExecFacts {
  /** Its exit status. */
  exitCode: number;
  /** What it printed (stdout and stderr). */
  output: string;
}

/** What the harness saw of one test run in a container. */
export interface ContainerEvidence {
  /** The exec that ran the tests; its output is the runner's own (the test log goes to a file). */
  tests: ExecFacts;
  /** The exec that read the test log back (`cat`), after the tests' exec. */
  read: ExecFacts;
  /** The container's state after both execs; null when the container no longer exists. */
  state: ContainerState | null;
}

/** Messages the engine or the OCI runtime puts where an exec's output should be. */
const ENGINE_ERROR =
  /cannot exec in a stopped state|OCI runtime exec failed|is not running|No such container|No such exec instance/i;

/**
 * Why a test run in a container is an infrastructure failure, in one line, or undefined when
 * the run can be judged on its log (a failing test is judged, not an infrastructure failure).
 */
export function infraFailure(evidence: ContainerEvidence): string | undefined {
  const { state, tests, read } = evidence;
  const container = containerFailure(state, tests.exitCode);
  if (container) return container;
  // The tests' own exec prints nothing but engine and runner errors (the log goes to a file);
  // the read's output is the test log, so only its exit status is evidence.
  const engine = engineError(tests.output);
  if (engine) return `the engine could not run the tests: ${engine}`;
  if (read.exitCode !== 0) {
    const detail = oneLine(read.output);
    return `the test log could not be read back (exit ${read.exitCode}${
      detail ? `: ${detail}` : ""
    })`;
  }
  return undefined;
}

/**
 * Why an engine call failed, as the reason of an infrastructure failure: what happened to the
 * container when its state (inspected after the error) says, else the engine's message.
 */
export function engineFailure(error: unknown, state?: ContainerState | null): string {
  const container = state === undefined ? undefined : containerFailure(state);
  if (container) return container;
  const message = error instanceof Error ? error.message : String(error);
  return `the container engine failed: ${oneLine(message) || "unknown error"}`;
}

/** Why the container cannot have run the tests to the end, or undefined while it runs. */
function containerFailure(state: ContainerState | null, execExit?: number): string | undefined {
  const killed = (code: number) => (code === 137 ? ", killed" : "");
  if (state === null) {
    const exit = execExit === undefined ? "" : ` (test exec exit ${execExit}${killed(execExit)})`;
    return `the evaluation container was removed during the evaluation${exit}`;
  }
  if (state.oomKilled) {
    return `the evaluation container ran out of memory and was killed (OOMKilled, exit ${state.exitCode})`;
  }
  if (!state.running) {
    const detail = state.error ? `: ${oneLine(state.error)}` : "";
    return `the evaluation container stopped during the evaluation (exit ${state.exitCode}${
      killed(state.exitCode)
    }${detail})`;
  }
  return undefined;
}

/** The engine's error line in an exec's output, or undefined. */
function engineError(output: string): string | undefined {
  const line = output.split("\n").find((l) => ENGINE_ERROR.test(l));
  return line === undefined ? undefined : oneLine(line);
}

function oneLine(text: string): string {
  const first = text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
  return first.length > 300 ? `${first.slice(0, 297)}...` : first;
}

/**
 * The one-line error of an evaluation that ended with `count` infrastructure failures; `again`
 * says how to evaluate them (`run the pipeline again`).
 */
export function infraErrorsMessage(count: number, again: string): string {
  const instances = count === 1 ? "1 instance was" : `${count} instances were`;
  return `${instances} not evaluated because the evaluation infrastructure failed ` +
    `(error_infra, reasons in report.json); ${again} to evaluate ${count === 1 ? "it" : "them"}`;
}
