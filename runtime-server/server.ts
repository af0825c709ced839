/**
 * HTTP routing and authentication of the runtime server: the endpoints of OpenHands' action
 * execution server, answered with its JSON shapes and status codes.
 *
 * @module
 */

import type { ActionExecutor } from "./actions.ts";
import { downloadFiles, json, listFiles, uploadFile } from "./files.ts";
import { systemStats } from "./system_stats.ts";

/** What the request handler needs. */
export interface ServerContext {
  executor: ActionExecutor;
  /** The `--working-dir`. */
  workDir: string;
  /**
   * `SESSION_API_KEY`; when set, every path but `/alive` needs it (OpenHands also leaves
   * `/server_info` open; velora does not: it tells uptime, idle time and resources).
   */
  sessionApiKey: string | null;
  /** When the server started (ms since the epoch). */
  startTime: number;
  /**
   * Called for every request that carries the session key (every request when there is none),
   * before it is answered: the owner is alive (see owner_watch.ts).
   */
  onOwnerRequest?: () => void;
}

type Route = (request: Request) => Promise<Response> | Response;

/** The only path answered without the session key: readiness tells nothing. */
const PUBLIC_PATHS = new Set(["/alive"]);

/** Builds the request handler for `Deno.serve`. */
export function createHandler(context: ServerContext): (request: Request) => Promise<Response> {
  let lastExecutionTime = Date.now();
  const routes: Record<string, Record<string, Route>> = {
    "/alive": { GET: () => json({ status: "ok" }) },
    // velora's sandbox client posts here every few seconds while it holds the sandbox.
    "/heartbeat": { POST: () => json({ status: "ok" }) },
    "/server_info": {
      GET: async () => {
        const now = Date.now();
        return json({
          uptime: (now - context.startTime) / 1000,
          idle_time: (now - lastExecutionTime) / 1000,
          resources: await systemStats(),
        });
      },
    },
    "/execute_action": {
      POST: async (request) => {
        let body: unknown;
        try {
          body = await request.json();
        } catch (error) {
          return json({ detail: "Invalid request parameters", errors: String(error) }, 422);
        }
        const action = isObject(body) ? body.action : undefined;
        if (!isObject(action)) {
          return json({
            detail: "Invalid request parameters",
            errors: "action: Input should be a valid dictionary",
          }, 422);
        }
        if (typeof action.action !== "string") {
          return json({ detail: "Invalid action type" }, 400);
        }
        lastExecutionTime = Date.now();
        try {
          return json(await context.executor.run(action));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return json({ detail: `Internal server error: ${message}` }, 500);
        } finally {
          lastExecutionTime = Date.now();
        }
      },
    },
    "/update_mcp_server": {
      POST: async (request) => {
        let body: unknown;
        try {
          body = await request.json();
        } catch (error) {
          return json({ detail: "Invalid request parameters", errors: String(error) }, 422);
        }
        if (!Array.isArray(body)) {
          return json({ detail: "Request must be a list of MCP tools to sync" }, 400);
        }
        // No MCP server runs here. A 2xx other than 200 makes OpenHands' client (0.5x-0.6x) log a
        // warning and leave `/mcp/sse` out of its tools, instead of offering tools that 404.
        return json({
          detail: "MCP servers are not supported by this runtime; none was started",
          router_error_log: body.map((server) =>
            isObject(server) && typeof server.name === "string" ? server.name : "?"
          ).join(", "),
        }, 202);
      },
    },
    "/upload_file": { POST: uploadFile },
    "/download_files": { GET: downloadFiles },
    "/list_files": { POST: (request) => listFiles(request, context.workDir) },
    "/vscode/connection_token": { GET: () => json({ token: null }) },
  };

  return async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const key = context.sessionApiKey;
    const fromOwner = !key || request.headers.get("x-session-api-key") === key;
    if (!fromOwner && !PUBLIC_PATHS.has(path)) return json({ detail: "Invalid API Key" }, 403);
    if (fromOwner) context.onOwnerRequest?.();
    const methods = routes[path];
    if (!methods) return json({ detail: "Not Found" }, 404);
    const method = request.method === "HEAD" ? "GET" : request.method;
    const route = methods[method];
    if (!route) return json({ detail: "Method Not Allowed" }, 405);
    try {
      return await route(request);
    } catch (error) {
      console.error("velora runtime server: unhandled error:", error);
      return json({ detail: "An unexpected error occurred. Please try again later." }, 500);
    }
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
