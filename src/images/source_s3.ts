/**
 * An archive in S3 or any S3-compatible store, read with the AWS SDK (`@aws-sdk/client-s3`):
 * credentials come from the SDK's default chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`,
 * `AWS_PROFILE` and `~/.aws`, SSO, web identity, container and instance roles), the region from
 * the settings, `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile (else `us-east-1`), the
 * endpoint from the settings, `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (else AWS).
 *
 * The SDK is imported on first use, so commands that load nothing from S3 do not pay for it.
 *
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { SourceError, type SourceInfo, type TarSource } from "./tar_source.ts";

/** How to reach S3. Unset values come from the usual AWS environment variables and profile. */
export interface S3Settings {
  /** Endpoint URL of an S3-compatible store. */
  endpoint?: string;
  /** Region. */
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`). @default true when an endpoint is set */
  forcePathStyle?: boolean;
  /** Explicit credentials (tests); the SDK's default chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const clients = new WeakMap<S3Settings, Promise<S3Client>>();

/** One client per settings object. */
function clientFor(settings: S3Settings): Promise<S3Client> {
  let client = clients.get(settings);
  if (!client) {
    client = makeClient(settings);
    clients.set(settings, client);
  }
  return client;
}

async function makeClient(settings: S3Settings): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  const env = (name: string) => Deno.env.get(name) || undefined;
  const endpoint = settings.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL");
  const region = settings.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION");
  const make = (region: string | undefined) =>
    new S3Client({
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: settings.forcePathStyle ?? endpoint !== undefined,
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      maxAttempts: 3,
    });
  const client = make(region);
  if (region) return client;
  try {
    await client.config.region(); // from the profile, if any
    return client;
  } catch {
    client.destroy();
    return make("us-east-1");
  }
}

/** An `s3://bucket/key` object. */
export class S3Source implements TarSource {
  readonly uri: string;
  readonly display: string;
  readonly local = false;
  readonly bucket: string;
  readonly key: string;
  readonly #settings: S3Settings;
  #bytesRead = 0;

  constructor(uri: string, settings: S3Settings) {
    const match = /^s3:\/\/([^/]+)\/(.+)$/i.exec(uri);
    if (!match) throw new SourceError('expected "s3://<bucket>/<key>"');
    this.uri = uri;
    this.display = uri;
    this.bucket = match[1]!;
    this.key = match[2]!;
    this.#settings = settings;
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  async info(signal?: AbortSignal): Promise<SourceInfo> {
    const { HeadObjectCommand } = await import("@aws-sdk/client-s3");
    const head = await this.#send(
      (client, options) =>
        client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key }), options),
      signal,
    );
    return { size: head.ContentLength, identity: `${head.ETag ?? ""}|${head.ContentLength ?? ""}` };
  }

  async readAt(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    const range = `bytes=${offset}-${offset + length - 1}`;
    const got = await this.#send(
      (client, options) =>
        client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key: this.key, Range: range }),
          options,
        ),
      signal,
    );
    const bytes = got.Body ? await got.Body.transformToByteArray() : new Uint8Array(0);
    this.#bytesRead += bytes.length;
    // A store that ignores Range sends everything: keep what was asked for.
    return got.ContentRange ? bytes : bytes.subarray(offset, offset + length);
  }

  async open(signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    const got = await this.#send(
      (client, options) =>
        client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }), options),
      signal,
    );
    if (!got.Body) throw new SourceError("S3 sent no body");
    const body = got.Body.transformToWebStream() as ReadableStream<Uint8Array>;
    return body.pipeThrough(
      new TransformStream({
        transform: (chunk, controller) => {
          this.#bytesRead += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
  }

  async #send<T>(
    call: (client: S3Client, options: { abortSignal?: AbortSignal }) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const client = await clientFor(this.#settings);
    try {
      return await call(client, signal ? { abortSignal: signal } : {});
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new SourceError(s3Reason(error));
    }
  }
}

/** One line for an S3 failure: status and code, the store's message, never credentials. */
export function s3Reason(error: unknown): string {
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e?.$metadata?.httpStatusCode;
  if (e?.name === "CredentialsProviderError") {
    return "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
      "or AWS_PROFILE)";
  }
  if (status !== undefined) {
    // A HEAD answer has no body, so the SDK knows only the status.
    const plain = STATUS_TEXT[status];
    const generic = !e.name || ["Error", "Unknown", "UnknownError"].includes(e.name) ||
      (plain !== undefined && e.name === plain.replace(/ /g, ""));
    const text = generic ? `${status}${plain ? ` ${plain}` : ""}` : `${status} ${e.name}`;
    const message = !generic && e.message && !["UnknownError", e.name].includes(e.message)
      ? `: ${e.message}`
      : "";
    return `S3 answered ${text}${message}`.replace(/\s+/g, " ");
  }
  const code = e?.code ? `${e.code}: ` : "";
  return `cannot reach S3: ${code}${e?.message ?? String(error)}`.replace(/\s+/g, " ");
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  416: "Range Not Satisfiable",
  500: "Internal Server Error",
  503: "Service Unavailable",
};
