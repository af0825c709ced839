/**
 * A real S3-compatible server on 127.0.0.1 for tests: the npm `s3rver` package (a fake S3 that
 * implements the REST API over a local folder), run in-process. The real AWS SDK talks to it.
 *
 * s3rver checks the access key id (`S3RVER`), not v4 signatures; an unknown key id is answered
 * with 403 `InvalidAccessKeyId`.
 *
 * @module
 */
// s3rver ships no types.
// @ts-types="./s3rver.d.ts"
import S3rver from "npm:s3rver@3.7.1";
import { createReadStream } from "node:fs";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

/** Credentials s3rver accepts. */
export const S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** A running fake S3. */
export interface FakeS3 {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The folder it keeps objects in. */
  dir: string;
  /** Uploads a local file as `s3://<bucket>/<key>`. */
  upload(bucket: string, key: string, file: string): Promise<void>;
  /** The environment a child velora needs to reach it (and nothing else). */
  env(): Record<string, string>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 with the given buckets. */
export async function startFakeS3(buckets: string[]): Promise<FakeS3> {
  const dir = await Deno.makeTempDir({ prefix: "velora-s3rver-" });
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  return {
    endpoint,
    dir,
    async upload(bucket, key, file) {
      const { size } = await Deno.stat(file);
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: size,
        }),
      );
    },
    env: () => ({
      AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: "/nonexistent/velora-test-aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/velora-test-aws-credentials",
    }),
    async close() {
      client.destroy();
      await server.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
