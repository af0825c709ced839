/**
 * Preparing the repository inside a sandbox before the agent runs, and collecting the agent's
 * patch afterwards (OpenHands' `initialize_runtime` / `complete_runtime`, without its scripts).
 *
 * @module
 */
import { type Instance, repoCandidates } from "../dataset/instance.ts";
import { VeloraError } from "../errors.ts";
import { exitCodeOf, type Observation, type RunOptions } from "../runtime/protocol.ts";
import type { RunningSandbox } from "../runtime/backend.ts";
import { workspaceName } from "./instruction.ts";

/** A setup or collection command failed; the instance is retried as an infrastructure error. */
export class WorkspaceError extends VeloraError {
  // Rows record it under OpenHands' name, which marks it as an infrastructure error.
  override name = "AgentRuntimeError";
}

const SETUP_TIMEOUT = 600;

async function must(
  sandbox: RunningSandbox,
  command: string,
  what: string,
  options: RunOptions = {},
): Promise<Observation> {
  const observation = await sandbox.run(command, { timeout: SETUP_TIMEOUT, ...options });
  if (exitCodeOf(observation) !== 0) {
    const output = observation.content.trim().split("\n").slice(-5).join(" | ");
    throw new WorkspaceError(`${what} failed (exit ${exitCodeOf(observation)}): ${output}`);
  }
  return observation;
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * Copies the repository from where the image keeps it into `/workspace/<org>__<repo>__<version>`,
 * resets it, drops its remotes, and leaves the bash session there. Returns the workspace path.
 */
export async function prepareWorkspace(
  sandbox: RunningSandbox,
  instance: Instance,
  repoPath?: string,
): Promise<string> {
  const workspace = `/workspace/${workspaceName(instance)}`;
  const candidates = repoPath
    ? [repoPath]
    : instance.repo_path
    ? [instance.repo_path]
    : repoCandidates(instance);
  const env = [
    `export SWE_INSTANCE_ID=${quote(instance.instance_id)}`,
    `export REPO_NAME=${quote(instance.repo.split("/").at(-1) ?? instance.repo)}`,
    "export PIP_CACHE_DIR=~/.cache/pip",
    "alias git='git --no-pager'",
  ];
  await must(
    sandbox,
    `touch ~/.bashrc && printf '%s\\n' ${
      env.map(quote).join(" ")
    } >> ~/.bashrc && source ~/.bashrc`,
    "Setting up the shell",
  );
  const found = await sandbox.run(
    `for p in ${
      candidates.map(quote).join(" ")
    }; do if [ -d "$p/.git" ]; then echo "$p"; break; fi; done`,
    { timeout: SETUP_TIMEOUT },
  );
  const source = found.content.trim().split("\n").at(-1)?.trim();
  if (!source) {
    throw new WorkspaceError(
      `No git repository in the image at ${candidates.join(", ")} (set repo_path to where it is)`,
    );
  }
  await must(
    sandbox,
    `mkdir -p /workspace && rm -rf ${quote(workspace)} && cp -a ${quote(source)} ${
      quote(workspace)
    }`,
    `Copying ${source} to ${workspace}`,
  );
  await must(
    sandbox,
    `cd ${quote(workspace)} && git config --global --add safe.directory '*' && ` +
      `git config --global user.name openhands && ` +
      `git config --global user.email openhands@all-hands.dev && git reset --hard -q && ` +
      `for r in $(git remote); do git remote remove "$r"; done`,
    "Resetting the repository",
  );
  return workspace;
}

const PATCH_FILE = "/tmp/.velora_patch.diff";
/** Seconds a `cd` into the workspace may take before the session counts as wedged. */
const PROBE_TIMEOUT = 60;
/** Seconds to wait for a command the agent left running to end after one `C-c`. */
const INTERRUPT_TIMEOUT = 5;

/**
 * The agent's changes against the base commit: `git add -A`, binary files dropped, then
 * `git diff --no-color --cached <base>` read back whole (not through the 30000-char output cap).
 *
 * A command the agent left running (a server, a watcher, `sleep 300` past its soft timeout) is
 * interrupted first (`C-c` as input, twice at most). When the bash session is still busy or
 * broken after that, or a collection step fails in it, the patch is collected through one-shot
 * shells in the workspace (`is_static`), so a finished episode is never lost to the session.
 */
export async function collectPatch(
  sandbox: RunningSandbox,
  workspace: string,
  baseCommit: string,
  log: (line: string) => void = () => {},
): Promise<string> {
  let usable = false;
  try {
    usable = await settleSession(sandbox, workspace, log);
  } catch (error) {
    log(`Settling the bash session failed: ${(error as Error).message}`);
  }
  if (usable) {
    try {
      return await diff(sandbox, baseCommit, {});
    } catch (error) {
      if (!(error instanceof WorkspaceError)) throw error;
      log(`Collecting the patch in the bash session failed (${error.message}); using a new shell`);
    }
  } else {
    log("The bash session is not usable; collecting the patch through a new shell");
  }
  return await diff(sandbox, baseCommit, { staticIn: workspace });
}

/**
 * Leaves the bash session idle in `workspace`: `cd` there, and while a command the agent left
 * running refuses it (exit −1), `C-c` that command as input, at most twice. False when the session
 * is still busy afterwards or the `cd` fails.
 */
async function settleSession(
  sandbox: RunningSandbox,
  workspace: string,
  log: (line: string) => void,
): Promise<boolean> {
  for (let interrupts = 0;; interrupts++) {
    const cd = await sandbox.run(`cd ${quote(workspace)}`, { timeout: PROBE_TIMEOUT });
    const code = exitCodeOf(cd);
    if (code !== -1) return code === 0;
    if (interrupts === 2) return false;
    log(`A command is still running in the bash session; sending C-c (${interrupts + 1} of 2)`);
    await sandbox.run("C-c", { isInput: true, timeout: INTERRUPT_TIMEOUT });
  }
}

/** Stages, drops binaries, diffs and reads the patch back; `where` picks session or new shell. */
async function diff(
  sandbox: RunningSandbox,
  baseCommit: string,
  where: RunOptions,
): Promise<string> {
  await must(
    sandbox,
    'git config --global core.pager "" && git add -A',
    "Staging changes",
    where,
  );
  await must(
    sandbox,
    'git status --porcelain | while IFS= read -r line; do f="${line:3}"; ' +
      'if [ -f "$f" ] && { git check-attr binary -- "$f" | grep -q "binary: set" || ' +
      '{ [ -s "$f" ] && ! grep -Iq . "$f"; }; }; then git rm -q --cached -f -- "$f" >/dev/null 2>&1; ' +
      'echo "Removed: $f"; fi; done; true',
    "Dropping binary files",
    where,
  );
  await must(
    sandbox,
    `git diff --no-color --cached ${quote(baseCommit)} > ${PATCH_FILE}`,
    "Computing the patch",
    where,
  );
  const read = await sandbox.execute({ action: "read", args: { path: PATCH_FILE }, timeout: 60 });
  if (read.observation !== "read") {
    throw new WorkspaceError(`Reading the patch failed: ${read.content}`);
  }
  return stripBinaryHunks(read.content);
}

/** Drops `diff --git` blocks that only say "Binary files ... differ". */
export function stripBinaryHunks(patch: string): string {
  if (!patch.includes("Binary files")) return patch;
  const blocks = patch.split(/^(?=diff --git )/m);
  return blocks.filter((block) => !/^Binary files .* differ$/m.test(block)).join("");
}
