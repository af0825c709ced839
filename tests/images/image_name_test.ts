import assert from "node:assert/strict";
import { toInstance } from "../../src/dataset/formats/mod.ts";
import { imageFor, imageNaming } from "../../src/images/image_name.ts";

const velora = toInstance({
  instance_id: "1769848885641113",
  repo: "Shopify/liquid",
  base_commit: "c357f91",
  test_command: "bundle exec rake test",
  image_storage_uri: "s3://bucket/Images/shopify__liquid.tar",
  language: "Ruby",
});
const msb = toInstance({
  org: "BurntSushi",
  repo: "ripgrep",
  number: 2209,
  base: { sha: "abc" },
  fix_patch: "",
  resolved_issues: [],
});
const swe = toInstance({
  instance_id: "django__django-11099",
  repo: "django/django",
  base_commit: "a",
});

Deno.test("imageFor() follows OpenHands' naming by row format and LANGUAGE", () => {
  assert.deepEqual(imageFor(velora, {}), {
    image: "mswebench/sweb.eval.x86_64.1769848885641113:latest",
  });
  assert.deepEqual(imageFor(swe, {}), {
    image: "mswebench/sweb.eval.x86_64.django_s_django-11099:latest",
  });
  assert.deepEqual(imageFor(msb, {}), { image: "mswebench/burntsushi_m_ripgrep:pr-2209" });
  assert.deepEqual(imageFor(velora, { language: "ruby" }), {
    image: "mswebench/shopify_m_liquid:pr-1769848885641113",
  });
  assert.deepEqual(imageFor(msb, { prefix: "registry.local:5000/mswe/" }), {
    image: "registry.local:5000/mswe/burntsushi_m_ripgrep:pr-2209",
  });
});

Deno.test("imageFor() prefers RUNTIME_CONTAINER_IMAGE, then the template, then a docker ref in the row", () => {
  assert.deepEqual(imageFor(msb, { runtimeContainerImage: "img:1", template: "x/{org}:t" }), {
    image: "img:1",
  });
  assert.deepEqual(imageFor(msb, { template: "tasks/{org}_{repo}:{number}" }), {
    image: "tasks/burntsushi_ripgrep:2209",
  });
  const withRef = toInstance({ ...velora.row, image_storage_uri: "docker://swelancer/x_12155:v1" });
  assert.deepEqual(imageFor(withRef, {}), { image: "swelancer/x_12155:v1" });
  const plainRef = toInstance({ ...velora.row, image_storage_uri: "swelancer/x_12155:v1" });
  assert.deepEqual(imageFor(plainRef, {}), { image: "swelancer/x_12155:v1" });
  assert.ok("error" in imageFor(swe, { template: "x/{org}_{repo}:pr-{nope}" }));
});

Deno.test("imageNaming() takes the seed's environment variables and the phase's own keys", () => {
  const env = (k: string) =>
    ({ RUNTIME_CONTAINER_IMAGE: "img:1", EVAL_DOCKER_IMAGE_PREFIX: "reg/x", LANGUAGE: "java" })[k];
  assert.deepEqual(imageNaming({}, env), {
    runtimeContainerImage: "img:1",
    prefix: "reg/x",
    language: "java",
  });
  assert.deepEqual(imageNaming({ image: "t/{org}:x", language: "python" }, () => undefined), {
    template: "t/{org}:x",
    language: "python",
  });
});
