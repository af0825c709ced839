/**
 * Labels velora puts on every container it creates. Containers are found by label, never by
 * name pattern.
 *
 * @module
 */

/** The run that created the container (the run id, or a unique id per test). */
export const LABEL_RUN = "velora.run";
/** The dataset instance the container serves. */
export const LABEL_INSTANCE = "velora.instance";
/** The pipeline phase that created the container (`infer`, `evaluate`, ...). */
export const LABEL_PHASE = "velora.phase";
/** Process id of the velora process that created the container. */
export const LABEL_PID = "velora.pid";
/** Host name of the machine that velora process ran on. */
export const LABEL_HOST = "velora.host";
/**
 * What the container is when it is not a sandbox or an evaluation container: `network` for the
 * holder of a network namespace that a run's sandboxes share.
 */
export const LABEL_ROLE = "velora.role";

/** What a container is for; `run` is required, the rest are optional. */
export interface ContainerPurpose {
  /** Value of {@linkcode LABEL_RUN}. */
  run: string;
  /** Value of {@linkcode LABEL_INSTANCE}. */
  instance?: string;
  /** Value of {@linkcode LABEL_PHASE}. */
  phase?: string;
}

/** The velora process that owns a container. */
export interface ContainerOwner {
  /** Process id on {@linkcode ContainerOwner.host}. */
  pid: number;
  /** Host name, as `Deno.hostname()` reports it. */
  host: string;
}

/** The current process as a {@linkcode ContainerOwner}. */
export function currentOwner(): ContainerOwner {
  return { pid: Deno.pid, host: Deno.hostname() };
}

/**
 * The labels for a new container: purpose plus owner, so a later preflight can tell whether the
 * run that made it is still alive.
 */
export function veloraLabels(
  purpose: ContainerPurpose,
  owner: ContainerOwner = currentOwner(),
): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_RUN]: purpose.run,
    [LABEL_PID]: String(owner.pid),
    [LABEL_HOST]: owner.host,
  };
  if (purpose.instance !== undefined) labels[LABEL_INSTANCE] = purpose.instance;
  if (purpose.phase !== undefined) labels[LABEL_PHASE] = purpose.phase;
  return labels;
}

/** The owner recorded in a container's labels, or `undefined` when missing or malformed. */
export function ownerOf(labels: Record<string, string> | undefined): ContainerOwner | undefined {
  const pid = Number(labels?.[LABEL_PID]);
  const host = labels?.[LABEL_HOST];
  if (!Number.isSafeInteger(pid) || pid <= 0 || !host) return undefined;
  return { pid, host };
}

/** A Docker API label filter value, `key=value`, or `key` alone to match any value. */
export function labelFilter(key: string, value?: string): string {
  return value === undefined ? key : `${key}=${value}`;
}
