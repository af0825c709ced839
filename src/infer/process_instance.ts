/**
 * One instance, start to finish: sandbox, workspace, agent episode, patch, output row.
 * Infrastructure failures (sandbox start, runtime server, workspace commands) retry the whole
 * instance; after `maxRetries` the instance gets an error row and the run goes on.
 *
 * @module
 */
import { join } from "node:path";
import type { AgentClass } from "../agent/agent.ts";
import { runEpisode } from "../agent/controller.ts";
import type { EventDict } from "../agent/events.ts";
import { mergeMetrics, type MetricsSnapshot } from "../agent/llm/metrics.ts";
import type { LlmConfig } from "../config/llm_config.ts";
import type { Instance } from "../dataset/instance.ts";
import { DiskError } from "../errors.ts";
import { OUTPUT_FILES } from "../output/layout.ts";
import type { SandboxBackend } from "../runtime/backend.ts";
import type { NetworkMode, SandboxNetworks } from "../runtime/network.ts";
import { sleep } from "../sleep.ts";
import { collectPatch, prepareWorkspace } from "./workspace.ts";

/** Settings shared by every instance of an infer phase. */
export interface InferSettings {
  agentClass: AgentClass;
  llm?: LlmConfig;
  maxIterations: number;
  maxBudgetPerTask?: number;
  /** Per-instance wall clock, seconds. */
  timeoutSeconds: number;
  /** Infrastructure retries after the first attempt. */
  maxRetries: number;
  /** Seconds between attempts. */
  retryDelaySeconds: number;
  repoPath?: string;
  sandboxTimeout: number;
  /** Seconds without new output after which a command returns to the agent. @default 30 */
  noChangeTimeoutSeconds?: number;
  /** The sandboxes' network. @default "bridge" */
  network?: NetworkMode;
  /** Memory limit, bytes (0: none). @default the sandbox's default */
  memoryBytes?: number;
  cpus?: number;
  /** Process limit (0: none). @default the sandbox's default */
  pidsLimit?: number;
}

/** What one instance needs. */
export interface InstanceJob {
  instance: Instance;
  /** The image, or why the row names none. */
  image: string | { error: string };
  instruction: string;
  settings: InferSettings;
  /** The output directory (OpenHands layout). */
  outDir: string;
  /** `metadata.json`'s content, repeated in each row as OpenHands does. */
  metadata: Record<string, unknown>;
  /** The `velora.run` label of this phase's sandboxes. */
  runLabel: string;
  /** The run's shared network namespaces (none: the sandbox gets its own). */
  networks?: SandboxNetworks;
  /** Where the sandbox runs. */
  backend: SandboxBackend;
  signal: AbortSignal;
  /** One line to the instance log (and progress). */
  log(line: string): void;
  /** Called as events arrive: the iteration count and the last action, for progress. */
  onStep?(event: EventDict): void;
}

/** An `output.jsonl` row, keys in OpenHands order. */
export interface OutputRow extends Record<string, unknown> {
  instance_id: string;
  test_result: { git_patch?: string };
  instruction: string | null;
  metadata: Record<string, unknown> | null;
  history: EventDict[] | null;
  metrics: (MetricsSnapshot & { condenser: unknown[] }) | null;
  error: string | null;
  instance: Record<string, unknown> | null;
}

/** Error texts that mean the instance did not really run (so `retry_errors` runs it again). */
const INFRASTRUCTURE_ERRORS = [
  "AgentRuntime",
  "ImageMissing",
  "Timeout after",
  "Maximum retries",
  "RateLimitError",
  "InternalServerError",
  "APIConnectionError",
  "Timeout:",
  "LLMNoResponseError",
];

/** True when a row's `error` is an infrastructure failure rather than the agent's own result. */
export function isInfrastructureError(error: unknown): boolean {
  return typeof error === "string" && INFRASTRUCTURE_ERRORS.some((p) => error.startsWith(p));
}

/**
 * Runs one instance with retries and returns its row (never throws for instance failures; a
 * {@linkcode DiskError} writing its outputs is not one: it is thrown, and the run stops). The
 * row's `metrics` add up every attempt's LLM use, a retried one included, so its cost reaches
 * `max_cost`; the error row after the last retry carries them too.
 */
export async function processInstance(job: InstanceJob): Promise<OutputRow> {
  const { settings } = job;
  if (typeof job.image !== "string") return errorRow(job, `ImageMissing: ${job.image.error}`);
  if (!(await job.backend.imageExists(job.image))) {
    return errorRow(
      job,
      `ImageMissing: ${job.backend.missingImage(job.image)}`,
    );
  }
  let lastFailure = "";
  const spent: MetricsSnapshot[] = [];
  for (let attempt = 0; attempt <= settings.maxRetries; attempt++) {
    if (attempt > 0) {
      job.log(`Retrying (retry ${attempt} of ${settings.maxRetries}) after: ${lastFailure}`);
      await sleep(settings.retryDelaySeconds * 1000, job.signal);
    }
    if (job.signal.aborted && attempt > 0) break;
    try {
      const row = await attemptInstance(job, job.image, spent);
      if (row) return row;
      lastFailure = "the runtime failed during the episode";
    } catch (error) {
      if (error instanceof DiskError) throw error;
      lastFailure = `${(error as Error).name}: ${(error as Error).message}`;
      job.log(`Attempt ${attempt + 1} failed: ${lastFailure}`);
    }
  }
  const row = errorRow(
    job,
    `AgentRuntimeError: Maximum retries (${settings.maxRetries}) reached: ${lastFailure}`,
  );
  return spent.length > 0 ? { ...row, metrics: { ...mergeMetrics(spent), condenser: [] } } : row;
}

/**
 * One attempt; undefined when the runtime failed mid-episode (retry). The episode's metrics are
 * pushed to `spent` as soon as it ends, so they count even when collecting the patch throws.
 */
async function attemptInstance(
  job: InstanceJob,
  image: string,
  spent: MetricsSnapshot[],
): Promise<OutputRow | undefined> {
  const { instance, settings } = job;
  job.log(`Starting a sandbox from ${image}`);
  await using sandbox = await job.backend.startSandbox({
    image,
    run: job.runLabel,
    instance: instance.instance_id,
    phase: "infer",
    env: { NO_CHANGE_TIMEOUT_SECONDS: String(settings.noChangeTimeoutSeconds ?? 30) },
    ...(settings.network === undefined ? {} : { network: settings.network }),
    ...(job.networks === undefined ? {} : { networks: job.networks }),
    ...(settings.memoryBytes === undefined ? {} : { memoryBytes: settings.memoryBytes }),
    ...(settings.cpus === undefined ? {} : { cpus: settings.cpus }),
    ...(settings.pidsLimit === undefined ? {} : { pidsLimit: settings.pidsLimit }),
  });
  if (sandbox.where) job.log(`Sandbox running on ${sandbox.where}`);
  const workspace = await prepareWorkspace(sandbox, instance, settings.repoPath);
  job.log(`Workspace ready at ${workspace}; running ${settings.agentClass}`);
  const result = await runEpisode({
    agentClass: settings.agentClass,
    ...(settings.llm ? { llm: settings.llm } : {}),
    instruction: job.instruction,
    runtime: sandbox,
    instance: {
      instanceId: instance.instance_id,
      workspaceDir: workspace,
      goldPatch: instance.patch,
    },
    limits: {
      maxIterations: settings.maxIterations,
      wallClockSeconds: settings.timeoutSeconds,
      ...(settings.maxBudgetPerTask === undefined
        ? {}
        : { maxBudgetPerTask: settings.maxBudgetPerTask }),
      priorCost: spent.reduce((sum, metrics) => sum + metrics.accumulated_cost, 0),
    },
    signal: job.signal,
    completionsDir: join(job.outDir, OUTPUT_FILES.completions, instance.instance_id),
    onEvent: (event) => job.onStep?.(event),
    log: job.log,
    sandboxTimeout: settings.sandboxTimeout,
  });
  spent.push(result.metrics);
  if (result.exit.reason === "runtime_error") {
    job.log(`Runtime failed: ${result.lastError}`);
    return undefined;
  }
  const patch = await collectPatch(sandbox, workspace, instance.base_commit, job.log);
  const error = result.exit.reason === "wall_clock"
    ? `Timeout after ${settings.timeoutSeconds} seconds`
    : result.lastError;
  job.log(`Done: ${result.exit.reason}, ${result.iterations} steps, patch ${patch.length} chars`);
  return {
    instance_id: instance.instance_id,
    test_result: { git_patch: patch },
    instruction: job.instruction,
    metadata: job.metadata,
    history: result.history,
    metrics: { ...(spent.length > 1 ? mergeMetrics(spent) : result.metrics), condenser: [] },
    error,
    instance: instanceRecord(instance),
  };
}

/** The row of an instance that did not run (no patch, no history). */
export function errorRow(
  job: Pick<InstanceJob, "instance" | "instruction" | "metadata"> & { log?(line: string): void },
  error: string,
): OutputRow {
  job.log?.(error);
  return {
    instance_id: job.instance.instance_id,
    test_result: {},
    instruction: job.instruction,
    metadata: job.metadata,
    history: null,
    metrics: null,
    error,
    instance: instanceRecord(job.instance),
  };
}

/** The `instance` of a row: OpenHands' converted fields first, then the rest of the row. */
export function instanceRecord(instance: Instance): Record<string, unknown> {
  return {
    repo: instance.repo,
    instance_id: instance.instance_id,
    problem_statement: instance.problem_statement,
    FAIL_TO_PASS: instance.FAIL_TO_PASS,
    PASS_TO_PASS: instance.PASS_TO_PASS,
    base_commit: instance.base_commit,
    version: instance.version,
    ...Object.fromEntries(
      Object.entries(instance.row).filter(([key]) =>
        !["repo", "instance_id", "problem_statement", "base_commit", "version"].includes(key)
      ),
    ),
  };
}
