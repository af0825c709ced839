/**
 * HTTP client of the runtime server (the OpenHands action-execution protocol).
 *
 * @module
 */
import { VeloraError } from "../errors.ts";
import { withTimeout } from "../sleep.ts";
import type { ActionEvent, Observation } from "./protocol.ts";

/** The runtime server answered with an HTTP error or not at all. */
export class RuntimeHttpError extends VeloraError {
  constructor(message: string, readonly status?: number, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Talks to one runtime server. */
export class RuntimeClient {
  readonly #base: string;
  readonly #headers: Record<string, string>;

  /**
   * @param baseUrl e.g. `http://127.0.0.1:34567`
   * @param sessionApiKey sent as `X-Session-API-Key` when given
   */
  constructor(baseUrl: string, sessionApiKey?: string) {
    this.#base = baseUrl.replace(/\/$/, "");
    this.#headers = sessionApiKey ? { "X-Session-API-Key": sessionApiKey } : {};
  }

  /**
   * True when `/alive` answers 200; false when it answers otherwise or cannot be reached. It
   * carries the session key, so it also counts as a heartbeat.
   */
  alive(signal?: AbortSignal): Promise<boolean> {
    return this.#ping("GET", "/alive", signal);
  }

  /**
   * Tells a server started with `--owner-timeout` that its owner is still there (velora's
   * sandboxes do so every few seconds). True when it answered 200; never throws.
   */
  heartbeat(signal?: AbortSignal): Promise<boolean> {
    return this.#ping("POST", "/heartbeat", signal);
  }

  async #ping(method: string, path: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const response = await fetch(`${this.#base}${path}`, {
        method,
        headers: this.#headers,
        ...(signal ? { signal } : {}),
      });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Runs an action; waits up to its timeout plus `graceSeconds` for the answer. */
  executeAction(action: ActionEvent, graceSeconds = 30): Promise<Observation> {
    const timeoutMs = ((action.timeout ?? 600) + graceSeconds) * 1000;
    return this.#json("POST", "/execute_action", { action }, timeoutMs) as Promise<Observation>;
  }

  /** Registers MCP servers (accepted and ignored by velora's server). */
  updateMcpServer(servers: unknown[]): Promise<unknown> {
    return this.#json("POST", "/update_mcp_server", servers);
  }

  /** Lists a directory: sub-directories (with `/`) then files. */
  listFiles(path?: string): Promise<string[]> {
    return this.#json("POST", "/list_files", path === undefined ? {} : { path }) as Promise<
      string[]
    >;
  }

  /** Server uptime and resources. */
  serverInfo(): Promise<Record<string, unknown>> {
    return this.#json("GET", "/server_info") as Promise<Record<string, unknown>>;
  }

  /** Uploads one file into `destination`; a `.zip` (or `recursive`) is unpacked there. */
  async uploadFile(
    destination: string,
    file: Blob,
    filename: string,
    recursive = false,
  ): Promise<unknown> {
    const form = new FormData();
    form.append("file", file, filename);
    const query = `?destination=${encodeURIComponent(destination)}&recursive=${recursive}`;
    return await this.#request("POST", `/upload_file${query}`, form);
  }

  /** Downloads a path inside the sandbox as a zip archive. */
  downloadFiles(path: string): Promise<Uint8Array> {
    return this.#fetch(
      "GET",
      `/download_files?path=${encodeURIComponent(path)}`,
      async (response) => new Uint8Array(await response.arrayBuffer()),
    );
  }

  async #json(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<unknown> {
    return await this.#request(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      timeoutMs,
    );
  }

  #request(method: string, path: string, body?: BodyInit, timeoutMs?: number): Promise<unknown> {
    return this.#fetch(method, path, (response) => response.json(), body, timeoutMs);
  }

  /**
   * One request, its answer read by `read`. `timeoutMs` covers both, and its timer goes as soon
   * as they are done: a run sends thousands of requests, and none keeps a timer (and its signal)
   * alive for minutes after it ended.
   */
  #fetch<T>(
    method: string,
    path: string,
    read: (response: Response) => Promise<T>,
    body?: BodyInit,
    timeoutMs = 60_000,
  ): Promise<T> {
    const headers: Record<string, string> = { ...this.#headers };
    if (typeof body === "string") headers["Content-Type"] = "application/json";
    return withTimeout(timeoutMs, async (signal) => {
      let response: Response;
      try {
        response = await fetch(`${this.#base}${path}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal,
        });
      } catch (error) {
        throw new RuntimeHttpError(
          `Runtime server at ${this.#base} did not answer ${method} ${path}: ${
            error instanceof Error ? error.message : String(error)
          }`,
          undefined,
          { cause: error },
        );
      }
      if (!response.ok) {
        const text = await response.text();
        let detail = text;
        try {
          detail = String((JSON.parse(text) as { detail?: unknown }).detail ?? text);
        } catch { /* not JSON */ }
        throw new RuntimeHttpError(
          `Runtime server answered ${response.status} to ${method} ${path}: ${detail}`,
          response.status,
        );
      }
      return await read(response);
    });
  }
}
