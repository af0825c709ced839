/**
 * Acceptance: the report of a fixture output directory, driven in headless Chromium (one browser
 * for all steps).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "npm:playwright-core@1.65.1";
import { velora } from "../support/velora.ts";
import { FIXTURE, FIXTURE_IDS, withFixture } from "./_fixture.ts";
import { fakeRow, writeOutput } from "./_rows.ts";
import { ignoreWithoutChromium, launchChromium } from "./_browser.ts";

/** Opens a report, collecting console errors and page errors. */
async function openReport(page: Page, file: string): Promise<string[]> {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForLoadState("load");
  return errors;
}

const rowIds = (page: Page) =>
  page.$$eval("#table tbody tr", (rows) => rows.map((r) => r.getAttribute("data-id")));

/**
 * Counts, in the browser, the pixels of a PNG screenshot that are not background, and those of
 * the "resolved" green (#2e7d32). Browser code, given as text (the tests have no DOM types).
 */
const COUNT_PIXELS = `async (b64) => {
  const image = new Image();
  image.src = "data:image/png;base64," + b64;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  let ink = 0;
  let green = 0;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i], g = data[i + 1], b = data[i + 2];
    if (r < 235 || g < 235 || b < 235) ink++;
    if (Math.abs(r - 0x2e) < 12 && Math.abs(g - 0x7d) < 12 && Math.abs(b - 0x32) < 12) green++;
  }
  return { ink, green };
}`;

function inkPixels(page: Page, png: Uint8Array): Promise<{ ink: number; green: number }> {
  let binary = "";
  for (const byte of png) binary += String.fromCharCode(byte);
  return page.evaluate(`(${COUNT_PIXELS})(${JSON.stringify(btoa(binary))})`);
}

Deno.test({
  name: "report.html: counts, filters, trajectory viewer and charts in headless Chromium",
  ignore: ignoreWithoutChromium(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const browser = await launchChromium();
    try {
      await withFixture(async (dir) => {
        const made = await velora(["report", dir]);
        assert.equal(made.code, 0, made.stderr);
        assert.match(made.stdout, /6 instances, 2 resolved, 4 evaluated/);
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const errors = await openReport(page, join(dir, "report.html"));

        await t.step("no console errors, and the counts shown equal the data", async () => {
          const count = (key: string) =>
            page.textContent(`[data-count="${key}"] .value`).then((s) => Number(s));
          assert.equal(Number(await page.textContent('[data-stat="instances"] .value')), 6);
          assert.equal(await count("resolved"), FIXTURE.resolved.length);
          assert.equal(await count("unresolved"), FIXTURE.unresolved.length);
          assert.equal(await count("failed_apply_patch"), FIXTURE.openHands.length);
          assert.equal(await count("infer_error"), FIXTURE.inferError.length);
          assert.equal(await count("not_evaluated"), FIXTURE.notEvaluated.length);
          assert.equal(await count("empty_patch"), 0);
          assert.equal(await page.textContent('[data-stat="rate"] .value'), "33.3%");
          assert.deepEqual(await rowIds(page), FIXTURE_IDS);
          assert.match(
            (await page.textContent(".exits"))!,
            /finished 4.*error: ImageMissing 1.*max_iterations 1/,
          );
          assert.deepEqual(errors, []);
        });

        await t.step('filtering to "resolved" shows exactly the resolved rows', async () => {
          await page.click('button[data-filter="resolved"]');
          assert.deepEqual(await rowIds(page), FIXTURE.resolved);
          assert.equal(await page.getAttribute("#shown-count", "data-count"), "2");
          await page.click('button[data-filter="all"]');
          await page.fill("#search", "gadgets");
          assert.deepEqual(await rowIds(page), ["acme__gadgets-3", "acme__gadgets-4"]);
          await page.fill("#search", "");
          await page.click('#table th[data-key="cost"]');
          const sorted = await rowIds(page);
          assert.equal(sorted[0], "acme__widgets-2", "the most expensive first");
          assert.equal(sorted.at(-1), "acme__gadgets-4");
        });

        await t.step("clicking a row shows its steps, verdict and coloured diff", async () => {
          await page.click('#table tbody tr[data-id="acme__gadgets-3"] td:nth-child(2)');
          await page.waitForSelector('#viewer[data-instance="acme__gadgets-3"] .step');
          const steps = await page.$$eval(
            "#viewer .step",
            (nodes) => nodes.map((n) => n.getAttribute("data-action")),
          );
          assert.deepEqual(steps, ["run", "run", "read", "edit", "finish"]);
          const first = await page.textContent("#viewer .step >> nth=0");
          assert.match(first!, /echo step1/);
          assert.match(first!, /exit 0/);
          assert.match(first!, /Step 1: look around\./);
          assert.match(first!, /\$0\.0100/);
          assert.match(
            (await page.textContent("#viewer .verdict"))!,
            /FAIL_TO_PASS TestFix: FAILED[\s\S]*FAIL_TO_PASS 0\/1[\s\S]*PASS_TO_PASS 1\/1/,
          );
          assert.equal(await page.textContent("#viewer .diff .d-add"), "+    return 2  # three\n");
          assert.equal(await page.textContent("#viewer .diff .d-del"), "-    return 1\n");
          const colour = await page.evaluate(
            "getComputedStyle(document.querySelector('#viewer .diff .d-add')).backgroundColor",
          );
          assert.notEqual(colour, "rgba(0, 0, 0, 0)");
          await page.keyboard.press("Escape");
          await page.waitForSelector("#viewer", { state: "hidden" });
        });

        await t.step("rows without history or evaluation open too", async () => {
          await page.goto(`file://${join(dir, "report.html")}#instance=acme__gadgets-4`);
          await page.waitForSelector('#viewer[data-instance="acme__gadgets-4"]');
          assert.match((await page.textContent("#viewer .verdict"))!, /ImageMissing: not loaded/);
          assert.equal(await page.$$eval("#viewer .step", (n) => n.length), 0);
          await page.goto(`file://${join(dir, "report.html")}#instance=acme__widgets-6`);
          await page.waitForSelector('#viewer[data-instance="acme__widgets-6"] .step');
          assert.match((await page.textContent("#viewer .verdict"))!, /Failed to apply/);
        });

        await t.step("the chart canvases are not blank", async () => {
          await page.goto(`file://${join(dir, "report.html")}`);
          await page.waitForSelector("body[data-ready=true]");
          const outcomes = await page.$('[data-chart="outcomes"] canvas');
          assert.ok(outcomes, "the outcome chart has a canvas");
          const { ink, green } = await inkPixels(page, await outcomes.screenshot());
          assert.ok(ink > 2000, `the outcome chart has ${ink} drawn pixels`);
          assert.ok(green > 500, `the resolved bar has ${green} green pixels`);
          for (const key of ["cost", "steps", "language", "repo"]) {
            const canvas = await page.$(`[data-chart="${key}"] canvas`);
            assert.ok(canvas, `chart ${key} is drawn`);
            const pixels = await inkPixels(page, await canvas.screenshot());
            assert.ok(pixels.ink > 1000, `chart ${key} has ${pixels.ink} drawn pixels`);
          }
          assert.deepEqual(errors, []);
        });
        await page.close();
      });

      await t.step("a partial run: nothing evaluated yet, a row being written", async () => {
        const dir = await Deno.makeTempDir({ prefix: "velora-report-partial-" });
        try {
          const file = await writeOutput(dir, [
            fakeRow({ id: "p-1", steps: 2 }),
            fakeRow({ id: "p-2", history: false, error: "Timeout after 60 seconds" }),
          ]);
          await Deno.writeTextFile(file, '{"instance_id": "p-3", "hist', { append: true });
          const made = await velora(["report", dir]);
          assert.equal(made.code, 0, made.stderr);
          assert.match(made.stderr, /output\.jsonl:3: not valid JSON.*\(skipped\)/);
          const page = await browser.newPage();
          const errors = await openReport(page, join(dir, "report.html"));
          assert.equal(await page.textContent('[data-count="not_evaluated"] .value'), "1");
          assert.equal(await page.textContent('[data-count="infer_error"] .value'), "1");
          assert.equal(await page.textContent('[data-stat="rate"] .sub'), "nothing evaluated");
          assert.deepEqual(await rowIds(page), ["p-1", "p-2"]);
          assert.deepEqual(errors, []);
          await page.close();
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      });
    } finally {
      await browser.close();
    }
  },
});
