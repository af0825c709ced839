/**
 * The OpenHands action-execution wire format, as far as velora's client uses it.
 *
 * @module
 */

/** An action posted to `/execute_action` inside `{"action": ...}`. */
export interface ActionEvent {
  /** The action type: `run`, `read`, `write`, `edit`, `run_ipython`, ... */
  action: string;
  /** The action's arguments. */
  args: Record<string, unknown>;
  /** Hard timeout in seconds (top level, not in args). */
  timeout?: number;
  [extra: string]: unknown;
}

/** An observation the server answers with. */
export interface Observation {
  /** The observation type: `run`, `read`, `write`, `edit`, `error`, ... */
  observation: string;
  /** The output. */
  content: string;
  /** Type-specific details (`metadata` for `run`). */
  extras: Record<string, unknown>;
  message?: string;
  success?: boolean;
}

import type { CmdOutputMetadata } from "../../runtime-server/observations.ts";

/** The `extras.metadata` of a `run` observation (the server's own type). */
export type { CmdOutputMetadata };

/** Options of a `run` action. */
export interface RunOptions {
  /** Send the text to the running process instead of starting a command. */
  isInput?: boolean;
  /** Hard timeout in seconds; also makes the call blocking (no soft timeout). */
  timeout?: number;
  /**
   * Run it as a one-shot `bash -c` in this directory, outside the persistent session (OpenHands
   * `is_static` with `cwd`): works whatever the session is doing.
   */
  staticIn?: string;
}

/** Builds a `run` action the way the OpenHands client serialises `CmdRunAction`. */
export function runAction(command: string, options: RunOptions = {}): ActionEvent {
  return {
    action: "run",
    args: {
      command,
      is_input: options.isInput ?? false,
      thought: "",
      blocking: options.timeout !== undefined,
      is_static: options.staticIn !== undefined,
      cwd: options.staticIn ?? null,
      hidden: false,
      confirmation_state: "confirmed",
      security_risk: -1,
    },
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  };
}

/** The exit code of a `run` observation (−1 for timeouts and errors). */
export function exitCodeOf(observation: Observation): number {
  const metadata = observation.extras.metadata as Partial<CmdOutputMetadata> | undefined;
  return typeof metadata?.exit_code === "number" ? metadata.exit_code : -1;
}
