import assert from "node:assert/strict";
import { parseReference, schemeOf, sha256Digest } from "../../src/registry/client.ts";

Deno.test("parseReference() splits host, repository and tag or digest", () => {
  assert.deepEqual(parseReference("127.0.0.1:5000/velora-runtime:abc"), {
    repository: { host: "127.0.0.1:5000", name: "velora-runtime" },
    reference: "abc",
  });
  assert.deepEqual(parseReference("reg.example/team/a/b"), {
    repository: { host: "reg.example", name: "team/a/b" },
    reference: "latest",
  });
  assert.deepEqual(parseReference("reg:5000/a@sha256:00ff"), {
    repository: { host: "reg:5000", name: "a" },
    reference: "sha256:00ff",
  });
  assert.throws(() => parseReference("velora-demo:1"), /names no registry host/);
});

Deno.test("schemeOf(): plain HTTP only for loopback registries", () => {
  assert.equal(schemeOf("127.0.0.1:5000"), "http");
  assert.equal(schemeOf("localhost:5000"), "http");
  assert.equal(schemeOf("127.10.0.3"), "http");
  assert.equal(schemeOf("registry.example.com"), "https");
  assert.equal(schemeOf("10.0.0.5:5000"), "https");
});

Deno.test("sha256Digest() is the OCI digest of the bytes", async () => {
  assert.equal(
    await sha256Digest(new TextEncoder().encode("abc")),
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
