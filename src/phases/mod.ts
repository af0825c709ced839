/**
 * The static registry of phase kinds. `deno compile` cannot load modules by computed name, so
 * every kind is imported here. The command line hands it to the pipeline loader and runner.
 *
 * @module
 */
import { cleanupImagesPhase } from "./cleanup_images.ts";
import { collectPhase } from "./collect.ts";
import { evaluatePhase } from "./evaluate.ts";
import { exportPhase } from "./export.ts";
import { inferPhase } from "./infer.ts";
import { loadImagesPhase } from "./load_images.ts";
import { preflightPhase } from "./preflight.ts";
import { reportPhase } from "./report.ts";
import { shellPhase } from "./shell.ts";
import type { PhaseKind, PhaseRegistry } from "../pipeline/phase.ts";

const KINDS: PhaseKind[] = [
  shellPhase,
  preflightPhase,
  loadImagesPhase,
  inferPhase,
  evaluatePhase,
  cleanupImagesPhase,
  collectPhase,
  reportPhase,
  exportPhase,
];

/** Every phase kind velora knows. */
export const PHASE_KINDS: PhaseRegistry = new Map(KINDS.map((phase) => [phase.kind, phase]));
