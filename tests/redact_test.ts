import assert from "node:assert/strict";
import {
  addSecrets,
  isSecretName,
  redact,
  redactDeep,
  secrets,
  secretsOfEnv,
} from "../src/redact.ts";

Deno.test("isSecretName() knows the usual secret variables and the name parts", () => {
  for (
    const name of [
      "AWS_SECRET_ACCESS_KEY",
      "GITHUB_TOKEN",
      "OPENAI_API_KEY",
      "ANTHROPIC_API_KEY",
      "my_service_password",
      "DB_PASSWD",
      "GOOGLE_APPLICATION_CREDENTIALS",
      "SMTP_PASS",
    ]
  ) assert.ok(isSecretName(name), name);
  for (const name of ["HOME", "PATH", "LANGUAGE", "GIT_AUTHOR_NAME", "PASS_TO_PASS_FILE"]) {
    assert.equal(isSecretName(name), false, name);
  }
});

Deno.test("secretsOfEnv() takes values of 8 characters or more of secret-named variables", () => {
  const env = {
    OPENAI_API_KEY: "sk-12345678",
    GITHUB_TOKEN: "abcde",
    HOME: "/home/someone-long",
    EMPTY_TOKEN: "",
  };
  assert.deepEqual(secretsOfEnv(env), ["sk-12345678"]);
});

Deno.test("redact() masks raw and JSON-escaped forms, longest first, and skips short values", () => {
  const values = ["abcdefgh", "abcdefgh-longer", 'quo"te\\slash', "short"];
  assert.equal(redact("x abcdefgh-longer y abcdefgh z short", values), "x **** y **** z short");
  assert.equal(redact(JSON.stringify({ k: 'quo"te\\slash' }), values), '{"k":"****"}');
  assert.deepEqual(redactDeep({ a: ["abcdefgh", 1], b: { c: "-abcdefgh-" } }, values), {
    a: ["****", 1],
    b: { c: "-****-" },
  });
});

Deno.test("addSecrets() adds to the process's one set, which redact() uses by default", () => {
  const value = `velora-redact-test-${crypto.randomUUID()}`;
  assert.equal(redact(`key=${value}`), `key=${value}`);
  addSecrets([value, "tiny", undefined]);
  assert.ok(secrets().has(value));
  assert.equal(secrets().has("tiny"), false);
  assert.equal(redact(`key=${value}`), "key=****");
});
