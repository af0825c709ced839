/**
 * Headless Chromium for the report tests and benchmark: Debian's `chromium` driven by
 * `playwright-core` (no browser download). Without the browser the tests are skipped locally but
 * run, and fail, under `CI=true`, so CI never passes by skipping them.
 *
 * @module
 */
import { type Browser, chromium } from "npm:playwright-core@1.65.1";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The browser executable: `$VELORA_CHROMIUM`, else the first of the usual paths that exists. */
export function chromiumPath(): string | undefined {
  const named = Deno.env.get("VELORA_CHROMIUM");
  if (named) return named;
  return CANDIDATES.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}

/** The `ignore` value of a browser test: true only when there is no browser and CI is not set. */
export function ignoreWithoutChromium(): boolean {
  return Deno.env.get("CI") !== "true" && chromiumPath() === undefined;
}

/** Launches headless Chromium. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("No Chromium found: install Debian's chromium package");
  return await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}
