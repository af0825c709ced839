/**
 * Pod lifecycle: create, wait until running, state, logs, delete, and find by label.
 *
 * @module
 */
import { sleep } from "../sleep.ts";
import { apiMessage, apiStatus, type k8s, type Kube } from "./client.ts";

/** Why a pod will not come up: a waiting reason that does not clear by itself. */
const STUCK_REASONS = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
  "CrashLoopBackOff",
]);

/** A pod that failed to start; the message says why (and the container's last log lines). */
export class PodStartError extends Error {
  override name = "PodStartError";
}

/** Creates a pod; its name comes back (the API server's, for `generateName`). */
export async function createPod(kube: Kube, pod: k8s.V1Pod): Promise<string> {
  const created = await kube.core.createNamespacedPod({ namespace: kube.namespace, body: pod });
  return created.metadata!.name!;
}

/**
 * Waits until container `container` of pod `name` runs (init containers done). Fails at once
 * when the pod fails, an init container fails, or a container waits for a reason that does not
 * clear (a missing image, a bad config), with the pod's own words and its last log lines.
 */
export async function waitForPod(
  kube: Kube,
  name: string,
  container: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50;; delay = Math.min(delay * 1.5, 500)) {
    signal?.throwIfAborted();
    const pod = await kube.core.readNamespacedPod({ name, namespace: kube.namespace });
    const problem = startProblem(pod, container);
    if (problem === "running") return;
    if (problem) {
      const logs = await podLogs(kube, name, problem.container, 30);
      throw new PodStartError(
        `Pod ${name} did not start: ${problem.why}` +
          (logs ? `. Last log lines of ${problem.container}:\n${logs}` : ""),
      );
    }
    if (Date.now() > deadline) {
      const phase = pod.status?.phase ?? "unknown";
      const waiting = pod.status?.containerStatuses?.find((c) => c.name === container)?.state
        ?.waiting;
      throw new PodStartError(
        `Pod ${name} was not running after ${timeoutMs / 1000}s (phase ${phase}` +
          `${waiting?.reason ? `, ${waiting.reason}: ${waiting.message ?? ""}` : ""})`,
      );
    }
    await sleep(delay, signal);
  }
}

/** "running", a reason the pod will not start, or undefined while it is still on its way. */
function startProblem(
  pod: k8s.V1Pod,
  container: string,
): "running" | { why: string; container: string } | undefined {
  const status = pod.status;
  for (const init of status?.initContainerStatuses ?? []) {
    const done = init.state?.terminated;
    if (done && done.exitCode !== 0) {
      return {
        why: `init container ${init.name} exited with code ${done.exitCode}`,
        container: init.name,
      };
    }
    const waiting = init.state?.waiting;
    if (waiting?.reason && STUCK_REASONS.has(waiting.reason)) {
      return { why: `${waiting.reason}: ${waiting.message ?? ""}`, container: init.name };
    }
  }
  const main = status?.containerStatuses?.find((c) => c.name === container);
  if (main?.state?.running) return "running";
  const waiting = main?.state?.waiting;
  if (waiting?.reason && STUCK_REASONS.has(waiting.reason)) {
    return { why: `${waiting.reason}: ${waiting.message ?? ""}`, container };
  }
  const terminated = main?.state?.terminated;
  if (terminated) {
    return {
      why: `container ${container} exited with code ${terminated.exitCode}` +
        (terminated.reason ? ` (${terminated.reason})` : ""),
      container,
    };
  }
  if (status?.phase === "Failed") {
    return { why: status.message ?? status.reason ?? "the pod failed", container };
  }
  return undefined;
}

/** The last `lines` log lines of a container, "" when there are none (or no container yet). */
export async function podLogs(
  kube: Kube,
  name: string,
  container: string,
  lines = 50,
): Promise<string> {
  try {
    const text = await kube.core.readNamespacedPodLog({
      name,
      namespace: kube.namespace,
      container,
      tailLines: lines,
    });
    return String(text ?? "").trimEnd();
  } catch {
    return "";
  }
}

/** A pod's container's state, like a Docker container's; null when the pod is gone. */
export interface PodState {
  running: boolean;
  oomKilled: boolean;
  exitCode: number;
  error: string;
}

/** The state of container `container` of pod `name`, or null when the pod no longer exists. */
export async function podState(
  kube: Kube,
  name: string,
  container: string,
): Promise<PodState | null> {
  let pod: k8s.V1Pod;
  try {
    pod = await kube.core.readNamespacedPod({ name, namespace: kube.namespace });
  } catch (error) {
    if (apiStatus(error) === 404) return null;
    throw error;
  }
  if (pod.metadata?.deletionTimestamp) return null;
  const state = pod.status?.containerStatuses?.find((c) => c.name === container)?.state;
  const terminated = state?.terminated;
  return {
    running: Boolean(state?.running),
    oomKilled: terminated?.reason === "OOMKilled",
    exitCode: terminated?.exitCode ?? 0,
    error: terminated?.reason && terminated.reason !== "Completed"
      ? `${terminated.reason}${terminated.message ? `: ${terminated.message}` : ""}`
      : "",
  };
}

/** Deletes a pod at once (grace period 0). Already gone is fine. */
export async function deletePod(kube: Kube, name: string): Promise<void> {
  try {
    await kube.core.deleteNamespacedPod({
      name,
      namespace: kube.namespace,
      gracePeriodSeconds: 0,
    });
  } catch (error) {
    if (apiStatus(error) !== 404) {
      throw new Error(`cannot delete pod ${name}: ${apiMessage(error)}`);
    }
  }
}

/** A pod as {@linkcode listLabelledPods} lists it. */
export interface LabelledPod {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Creation time, seconds since the epoch. */
  created: number;
}

/** The pods whose labels match `selector` (`key=value,...`), with their labels. */
export async function listLabelledPods(kube: Kube, selector: string): Promise<LabelledPod[]> {
  const list = await kube.core.listNamespacedPod({
    namespace: kube.namespace,
    labelSelector: selector,
  });
  return list.items.map((pod) => ({
    name: pod.metadata!.name!,
    labels: pod.metadata!.labels ?? {},
    annotations: pod.metadata!.annotations ?? {},
    created: (pod.metadata!.creationTimestamp?.getTime() ?? 0) / 1000,
  }));
}

/** Names of the pods whose labels match `selector` (`key=value,...`). */
export async function listPods(kube: Kube, selector: string): Promise<string[]> {
  return (await listLabelledPods(kube, selector)).map((pod) => pod.name);
}

/** Deletes every pod matching `selector`; their names. */
export async function deletePods(kube: Kube, selector: string): Promise<string[]> {
  const names = await listPods(kube, selector);
  await Promise.all(names.map((name) => deletePod(kube, name)));
  return names;
}
