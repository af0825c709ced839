import assert from "node:assert/strict";
import { join } from "node:path";
import { dockerConfigFile, registryAuth } from "../../src/docker/registry_auth.ts";

Deno.test("dockerConfigFile: $DOCKER_CONFIG/config.json, else ~/.docker/config.json", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(dockerConfigFile(env({ DOCKER_CONFIG: "/c", HOME: "/h" })), "/c/config.json");
  assert.equal(dockerConfigFile(env({ HOME: "/h" })), "/h/.docker/config.json");
  assert.equal(dockerConfigFile(env({})), undefined);
});

Deno.test("registryAuth: the auths entry of the host (scheme and path ignored), else {}", async () => {
  const dir = await Deno.makeTempDir({ prefix: "velora-docker-config-" });
  try {
    const file = join(dir, "config.json");
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        auths: {
          "reg.example:5000": { auth: btoa("ci:pa:ss") },
          "https://index.docker.io/v1/": { auth: btoa("hub:secret") },
          "https://tok.example/v2/": { identitytoken: "tok" },
          "broken.example": { auth: "not base64!" },
        },
        credsStore: "desktop",
      }),
    );
    assert.deepEqual(await registryAuth("reg.example:5000", file), {
      username: "ci",
      password: "pa:ss",
      serveraddress: "reg.example:5000",
    });
    assert.deepEqual(await registryAuth("docker.io", file), {
      username: "hub",
      password: "secret",
      serveraddress: "https://index.docker.io/v1/",
    });
    assert.deepEqual(await registryAuth("tok.example", file), {
      identitytoken: "tok",
      serveraddress: "https://tok.example/v2/",
    });
    assert.deepEqual(await registryAuth("broken.example", file), {});
    assert.deepEqual(await registryAuth("127.0.0.1:5000", file), {});
    assert.deepEqual(await registryAuth("127.0.0.1:5000", join(dir, "none.json")), {});
    await Deno.writeTextFile(file, "{not json");
    assert.deepEqual(await registryAuth("reg.example:5000", file), {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
