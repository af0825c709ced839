import assert from "node:assert/strict";
import { slope, trend } from "../../bench/trend.ts";

/** A garbage collector's saw-tooth: rises `step` per sample, drops back every `period` samples. */
function sawTooth(samples: number, period: number, base: number, step: number, drift = 0) {
  return Array.from({ length: samples }, (_, i) => ({
    rows: i * 20,
    value: base + (i % period) * step + drift * i * 20,
  }));
}

Deno.test("slope() fits a least-squares line", () => {
  assert.equal(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]), 2);
  assert.equal(slope([{ x: 3, y: 1 }]), 0);
  assert.equal(slope([{ x: 3, y: 1 }, { x: 3, y: 9 }]), 0);
});

Deno.test("trend(): a saw-tooth with a late last collection is flat", () => {
  // Peaks at 190, floors at 140; the last window ends on a high, the mean of halves would tip.
  const points = sawTooth(50, 10, 140, 5.5);
  const t = trend(points);
  assert.equal(t.windows.length, 5);
  assert.ok(t.windows.every((w) => w.floor === 140));
  assert.equal(t.floorSlope, 0);
  assert.equal(t.peakSlope, 0);
  assert.equal(t.flat, true);
});

Deno.test("trend(): floors and peaks that creep up are not flat, by how much per instance", () => {
  // +0.05 MB per instance (50 kB) under the same saw-tooth: +5 MB per 100 instances.
  const t = trend(sawTooth(50, 10, 140, 5.5, 0.05));
  assert.ok(Math.abs(t.floorSlope - 5) < 0.01, `${t.floorSlope}`);
  assert.ok(Math.abs(t.peakSlope - 5) < 0.01, `${t.peakSlope}`);
  assert.equal(t.span, 980);
  assert.equal(t.flat, false);
});

Deno.test("trend(): a rise within the tolerance is flat; fewer windows for few samples", () => {
  const points = Array.from({ length: 7 }, (_, i) => ({ rows: i * 100, value: 100 + i }));
  const t = trend(points);
  assert.equal(t.windows.length, 3);
  assert.ok(t.floorRise > 0 && t.floorRise <= 0.1);
  assert.equal(t.flat, true);
  assert.equal(trend(points, 5, 0.01).flat, false);
});

Deno.test("trend(): a band that narrows (floors up, peaks down) is flat; one that widens is not", () => {
  // The collector settles: drops to 160 early, then RSS holds at 203 (a soak of 2,000 instances).
  const settling = [
    ...sawTooth(25, 8, 160, 11),
    ...Array.from({ length: 25 }, (_, i) => ({ rows: 500 + i * 20, value: 203 })),
  ];
  const narrow = trend(settling);
  assert.ok(narrow.floorRise > 0.1, `${narrow.floorRise}`);
  assert.ok(narrow.peakRise < 0);
  assert.ok(narrow.middleRise <= 0.1);
  assert.equal(narrow.flat, true);
  // Peaks creep while the floors stay: the most the process holds grows.
  const widening = sawTooth(50, 10, 140, 5.5).map((p, i) =>
    i % 10 === 9 ? { ...p, value: p.value + i } : p
  );
  const wide = trend(widening);
  assert.equal(wide.floorSlope, 0);
  assert.ok(wide.peakRise > 0.1);
  assert.equal(wide.flat, false);
});
