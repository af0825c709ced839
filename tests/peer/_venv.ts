/**
 * The Python of the reference packages' virtual environment (scripts/peer_venv.sh): peer tests run
 * multi-swe-bench's and OpenHands' own code against velora. Without it they are skipped locally
 * and fail under `CI=true`, like the Docker tests.
 *
 * @module
 */
/** `VELORA_PEER_PYTHON`, else the environment's default place (`~/.cache/velora/peer-venv`). */
export const PEER_PYTHON = Deno.env.get("VELORA_PEER_PYTHON") ??
  `${
    Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`
  }/velora/peer-venv/bin/python`;

/** Whether peer tests must be skipped: no environment, and not in CI. */
export async function skipPeer(): Promise<boolean> {
  if (Deno.env.get("CI") === "true") return false;
  try {
    await Deno.stat(PEER_PYTHON);
    return false;
  } catch {
    return true;
  }
}

/** Runs a Python script in the peer environment with `stdin`; its stdout, or an error. */
export async function peerPython(script: string, stdin = ""): Promise<string> {
  const child = new Deno.Command(PEER_PYTHON, {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (!out.success) throw new Error(`peer python failed: ${decode(out.stderr)}`);
  return decode(out.stdout);
}
