/**
 * The `preflight` phase: the Docker engine answers; enough free disk on the engine's data root
 * and on the run directory, and enough free memory; containers left by a velora process that is
 * no longer alive are removed. With `backend = "kubernetes"`: the cluster answers and the
 * namespace exists, the pods of this host's dead velora processes are deleted, and the run
 * directory and memory are checked (the cluster's disks are its own).
 *
 * Containers are found by label (`velora.run`), never by name, and removed only when their owner
 * labels (`velora.pid`, `velora.host`) name a process on this host that is gone. Containers
 * without those labels, and those of other hosts, are never touched.
 *
 * @module
 */
import { statfs } from "node:fs/promises";
import { z } from "zod";
import { connect, dockerEndpoint, ping } from "../docker/client.ts";
import { listLabelledContainers, removeContainerById } from "../docker/containers.ts";
import { engineInfo } from "../docker/images.ts";
import { LABEL_RUN, ownerOf } from "../docker/labels.ts";
import { PhaseFailedError } from "../errors.ts";
import { exists } from "../fs.ts";
import { definePhase, type PhaseContext, phaseSchema } from "../pipeline/phase.ts";
import type { KubeBackend } from "../runtime/kube_backend.ts";
import { backendKeys, phaseBackend, refineBackend } from "./_backend.ts";

const GB = 1e9;

const schema = phaseSchema("preflight", {
  min_free_disk_gb: z.number().nonnegative().default(10).describe(
    "Free disk needed on the Docker data root and on the run directory, in GB",
  ),
  min_free_memory_gb: z.number().nonnegative().default(4).describe(
    "Available memory needed, in GB",
  ),
  reap: z.boolean().default(true).describe(
    "Remove containers left by velora processes that are gone",
  ),
  reap_runs: z.string().refine(isRegExp, "expected a regular expression").optional().describe(
    "Only consider runs whose velora.run label matches this regular expression",
  ),
  backend: backendKeys.backend,
  registry: backendKeys.registry,
  kubernetes: backendKeys.kubernetes,
}).superRefine(refineBackend);

type Room = { need: number; summary: Record<string, string | number>; problems: string[] };

/** The `preflight` phase kind. */
export const preflightPhase = definePhase({
  kind: "preflight",
  description:
    "Check Docker (or the cluster), free disk and memory; remove containers of dead velora runs",
  schema,
  async run(params, ctx) {
    if (params.backend === "kubernetes") {
      const backend = await phaseBackend(params, ctx) as KubeBackend;
      const only = params.reap_runs ? new RegExp(params.reap_runs) : undefined;
      const reaped = params.reap
        ? await backend.reapDeadOwners(processAlive, (run) => !only || only.test(run))
        : [];
      for (const pod of reaped) {
        ctx.log(`removed pod ${pod.name} of run "${pod.run}" (its velora process is gone)`);
      }
      const room = { need: params.min_free_disk_gb * GB, summary: {}, problems: [] };
      const { outputFree, memory } = await checkHost(params, ctx, room);
      ctx.log(
        `${backend.where} answers; ${
          outputFree === undefined ? "" : `${gb(outputFree)} for the run, `
        }${gb(memory)} memory`,
      );
      return { kubernetes: backend.where, reaped: reaped.length, ...room.summary };
    }
    const docker = connect();
    try {
      await ping(docker);
    } catch (error) {
      throw new PhaseFailedError((error as Error).message);
    }
    const info = await engineInfo(docker);

    let reaped = 0;
    if (params.reap) {
      const only = params.reap_runs ? new RegExp(params.reap_runs) : undefined;
      for (const container of await listLabelledContainers(docker, LABEL_RUN)) {
        if (only && !only.test(container.labels[LABEL_RUN] ?? "")) continue;
        const owner = ownerOf(container.labels);
        if (!owner || owner.host !== Deno.hostname()) continue;
        if (await processAlive(owner.pid, container.created)) continue;
        await removeContainerById(docker, container.id);
        reaped++;
        ctx.log(
          `removed container ${container.id.slice(0, 12)} of run "${
            container.labels[LABEL_RUN]
          }" ` +
            `(its velora process ${owner.pid} is gone)`,
        );
      }
    }

    const problems: string[] = [];
    const need = params.min_free_disk_gb * GB;
    const summary: Record<string, string | number> = {
      docker: info.version ?? "unknown",
      reaped,
    };
    const local = dockerEndpoint().startsWith("unix://");
    const dockerFree = local && info.rootDir ? await freeBytes(info.rootDir) : undefined;
    if (dockerFree === undefined) {
      ctx.log(
        `free disk of the Docker data root not checked: ${
          info.rootDir ? `"${info.rootDir}" is not on this machine` : "the engine does not say"
        }`,
      );
    } else {
      summary.docker_free_gb = round(dockerFree / GB);
      if (dockerFree < need) {
        problems.push(
          `${gb(dockerFree)} free on the Docker data root "${info.rootDir}", ` +
            `min_free_disk_gb is ${params.min_free_disk_gb}`,
        );
      }
    }
    const { outputFree, memory } = await checkHost(params, ctx, { need, summary, problems });
    ctx.log(
      `Docker ${summary.docker} answers; ${
        dockerFree === undefined ? "" : `${gb(dockerFree)} free for Docker, `
      }${outputFree === undefined ? "" : `${gb(outputFree)} for the run, `}${gb(memory)} memory`,
    );
    return summary;
  },
});

/**
 * The run directory's free disk and the memory, added to `room`; throws when `room` has any
 * problem (the engine's as well).
 */
async function checkHost(
  params: { min_free_disk_gb: number; min_free_memory_gb: number },
  ctx: Pick<PhaseContext, "runDir">,
  { need, summary, problems }: Room,
): Promise<{ outputFree: number | undefined; memory: number }> {
  const outputDir = ctx.runDir ?? Deno.cwd();
  const outputFree = await freeBytes(outputDir);
  if (outputFree !== undefined) {
    summary.output_free_gb = round(outputFree / GB);
    if (outputFree < need) {
      problems.push(
        `${gb(outputFree)} free on the run directory "${outputDir}", ` +
          `min_free_disk_gb is ${params.min_free_disk_gb}`,
      );
    }
  }
  const memory = Deno.systemMemoryInfo().available;
  summary.memory_free_gb = round(memory / GB);
  if (memory < params.min_free_memory_gb * GB) {
    problems.push(
      `${gb(memory)} of memory available, min_free_memory_gb is ${params.min_free_memory_gb}`,
    );
  }
  if (problems.length > 0) throw new PhaseFailedError(`Not enough room: ${problems.join("; ")}`);
  return { outputFree, memory };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function gb(bytes: number): string {
  return `${round(bytes / GB)} GB`;
}

/** Bytes available to unprivileged users on the filesystem of `path`, if it can be seen. */
async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const stats = await statfs(path);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Whether process `pid` of this host is alive and is the one that created a container at
 * `createdSeconds` (a process that started after the container is a reused pid: the owner is
 * gone). Without `/proc` (not Linux) every process counts as alive, so nothing is removed.
 */
export async function processAlive(pid: number, createdSeconds: number): Promise<boolean> {
  if (pid === Deno.pid) return true;
  let stat: string;
  try {
    stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      // No such process, if this system has /proc at all.
      return !(await exists("/proc/self/stat"));
    }
    return true;
  }
  // Fields after the command name (which may hold spaces and parentheses).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return false; // zombie or dead
  const startTicks = Number(fields[19]);
  const bootTime = await bootSeconds();
  if (!Number.isFinite(startTicks) || bootTime === undefined) return true;
  const started = bootTime + startTicks / 100; // USER_HZ is 100 on Linux
  return started <= createdSeconds + 2;
}

async function bootSeconds(): Promise<number | undefined> {
  try {
    const text = await Deno.readTextFile("/proc/stat");
    const value = /^btime (\d+)$/m.exec(text)?.[1];
    return value === undefined ? undefined : Number(value);
  } catch {
    return undefined;
  }
}

function isRegExp(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}
