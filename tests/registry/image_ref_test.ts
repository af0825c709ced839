import assert from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import { isRegistryHost, parseRegistry, registryImage } from "../../src/registry/image_ref.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

Deno.test("registryImage: prefixes the registry, drops the image's own registry host", () => {
  const cases: [string, string, string][] = [
    ["127.0.0.1:5000", "velora-demo:latest", "127.0.0.1:5000/velora-demo:latest"],
    ["reg.example/team", "docker.io/library/python:3.11", "reg.example/team/library/python:3.11"],
    ["127.0.0.1:5000", "mswebench/org_m_repo:pr-12", "127.0.0.1:5000/mswebench/org_m_repo:pr-12"],
    ["127.0.0.1:5000", "python:3.11", "127.0.0.1:5000/python:3.11"],
    ["127.0.0.1:5000", "localhost/x/y:1", "127.0.0.1:5000/x/y:1"],
    ["127.0.0.1:5000", "localhost:5001/x:1", "127.0.0.1:5000/x:1"],
    ["127.0.0.1:5000", "ghcr.io/org/img:v2", "127.0.0.1:5000/org/img:v2"],
    ["127.0.0.1:5000", "velora/x_y:base", "127.0.0.1:5000/velora/x_y:base"],
    ["reg.example/team/", "a/b:c", "reg.example/team/a/b:c"],
  ];
  for (const [registry, image, expected] of cases) {
    assert.equal(registryImage(registry, image), expected, `${registry} + ${image}`);
  }
});

Deno.test("registryImage: a name without a tag gets :latest; a digest is kept", () => {
  assert.equal(registryImage("127.0.0.1:5000", "velora-demo"), "127.0.0.1:5000/velora-demo:latest");
  assert.equal(registryImage("r.io:1", "docker.io/library/ubuntu"), "r.io:1/library/ubuntu:latest");
  assert.equal(registryImage("r.io", `ubuntu@${DIGEST}`), `r.io/ubuntu@${DIGEST}`);
  assert.equal(registryImage("r.io", `quay.io/a/b@${DIGEST}`), `r.io/a/b@${DIGEST}`);
  assert.equal(registryImage("r.io", `a/b:1@${DIGEST}`), `r.io/a/b:1@${DIGEST}`);
});

Deno.test("registryImage: idempotent; an image already in the registry keeps its name", () => {
  for (
    const [registry, image] of [
      ["127.0.0.1:5000", "velora-demo:latest"],
      ["reg.example/team", "docker.io/library/python:3.11"],
      ["127.0.0.1:5000", "mswebench/org_m_repo:pr-12"],
      ["r.io", `quay.io/a/b@${DIGEST}`],
      ["r.io", "plain"],
    ]
  ) {
    const once = registryImage(registry!, image!);
    assert.equal(registryImage(registry!, once), once, once);
  }
  assert.equal(registryImage("127.0.0.1:5000", "127.0.0.1:5000/x:1"), "127.0.0.1:5000/x:1");
  assert.equal(
    registryImage("reg.example/team", "reg.example/team/x"),
    "reg.example/team/x:latest",
  );
  // Another path under the same host is not "in" the registry.
  assert.equal(
    registryImage("reg.example/team", "reg.example/other/x:1"),
    "reg.example/team/other/x:1",
  );
});

Deno.test("isRegistryHost: Docker's rule for a first name component", () => {
  for (const host of ["localhost", "127.0.0.1:5000", "reg.example", "host:443", "[::1]:5000"]) {
    assert.ok(isRegistryHost(host), host);
  }
  for (const name of ["library", "mswebench", "velora", "my-registry"]) {
    assert.ok(!isRegistryHost(name), name);
  }
});

Deno.test("parseRegistry: host[:port][/path], normalised", () => {
  const cases: [string, string][] = [
    ["127.0.0.1:5000", "127.0.0.1:5000"],
    [" 127.0.0.1:5000/ ", "127.0.0.1:5000"],
    ["localhost", "localhost"],
    ["localhost:5000/velora", "localhost:5000/velora"],
    ["Registry.Example.COM/team/sub", "registry.example.com/team/sub"],
    ["reg.example:443/a_b/c-d/e.f", "reg.example:443/a_b/c-d/e.f"],
    ["[::1]:5000", "[::1]:5000"],
  ];
  for (const [value, expected] of cases) assert.equal(parseRegistry(value), expected, value);
});

Deno.test("parseRegistry: refuses a scheme, a tag, a digest, a non-host, a bad port or path", () => {
  const cases: [string, RegExp][] = [
    ["", /it is empty/],
    ["http://127.0.0.1:5000", /no scheme \(http:\/\/\)/],
    ["https://reg.example/team", /no scheme \(https:\/\/\)/],
    ["127.0.0.1:5000/velora:latest", /no tag/],
    ["reg.example/x@sha256:abc", /no digest/],
    ["team/path", /"team" is not a host/],
    ["myregistry", /"myregistry" is not a host/],
    ["127.0.0.1:99999", /port 99999 is out of range/],
    ["127.0.0.1:port", /not a host\[:port\]/],
    ["reg..example", /not a host\[:port\]/],
    ["reg.example/Team", /"Team" is not a path component/],
    ["reg.example//x", /"" is not a path component/],
  ];
  for (const [value, pattern] of cases) {
    assert.throws(() => parseRegistry(value), (error: unknown) => {
      assert.ok(error instanceof UsageError, value);
      assert.match(error.message, pattern, value);
      assert.match(error.message, /expected a registry as host\[:port\]\[\/path\]/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  }
});
