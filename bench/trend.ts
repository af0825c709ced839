/**
 * The soak's flatness rule (bench/soak.ts). A garbage-collected process's RSS is a saw-tooth, and
 * a comparison of means (second half against first) tips with wherever the last collection fell.
 * So the post-warm-up samples are cut into windows; each window's lowest value (the floor: what
 * is left after a collection) and highest (the peak) are fitted by least squares against the
 * instances done, giving a slope per 100 instances for each. A measure is flat when, across the
 * samples' span of instances, neither the peak line nor the band's middle (the mean of the floor
 * and peak lines) rises by more than `tolerance` of the first window's floor.
 *
 * Memory that grows per instance lifts floors and peaks alike, and so the middle. Floors alone
 * are no test: when the collector settles (the saw-tooth stops, RSS holds at one value below the
 * earlier peaks), the band narrows, floors rise and peaks fall, and nothing grows.
 *
 * @module
 */

/** One sample: instances done so far, and the measure's value then. */
export interface TrendPoint {
  rows: number;
  value: number;
}

/** The floors and peaks of a measure, and their fitted slopes. */
export interface Trend {
  /** Per window: mean instances done, lowest value, highest value. */
  windows: { rows: number; floor: number; peak: number }[];
  /** Slopes in units per 100 instances: of the floors, the peaks, and all samples. */
  floorSlope: number;
  peakSlope: number;
  rawSlope: number;
  /** Instances from the first sample to the last. */
  span: number;
  /** What each fitted line rises over `span`, as a fraction of the first window's floor. */
  floorRise: number;
  peakRise: number;
  /** The same for the middle of the band: the mean of `floorRise` and `peakRise`. */
  middleRise: number;
  flat: boolean;
}

/** The least-squares slope of y over x (0 with fewer than two distinct x). */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * Judges a measure's samples (post-warm-up, in order): `windows` windows of consecutive samples
 * (fewer when there are under two samples per window), flat when the fitted rise of the peaks
 * and of the band's middle over the span stays within `tolerance` (a fraction) of the first
 * floor.
 */
export function trend(points: TrendPoint[], windows = 5, tolerance = 0.1): Trend {
  const count = Math.max(1, Math.min(windows, Math.floor(points.length / 2)));
  const cut: Trend["windows"] = [];
  for (let w = 0; w < count; w++) {
    const part = points.slice(
      Math.floor((w * points.length) / count),
      Math.floor(((w + 1) * points.length) / count),
    );
    if (part.length === 0) continue;
    cut.push({
      rows: part.reduce((s, p) => s + p.rows, 0) / part.length,
      floor: Math.min(...part.map((p) => p.value)),
      peak: Math.max(...part.map((p) => p.value)),
    });
  }
  const per100 = (xs: { x: number; y: number }[]) => slope(xs) * 100;
  const floorSlope = per100(cut.map((w) => ({ x: w.rows, y: w.floor })));
  const peakSlope = per100(cut.map((w) => ({ x: w.rows, y: w.peak })));
  const rawSlope = per100(points.map((p) => ({ x: p.rows, y: p.value })));
  const span = points.length > 1 ? points.at(-1)!.rows - points[0]!.rows : 0;
  const base = cut[0]?.floor || 1;
  const floorRise = (floorSlope * span) / 100 / base;
  const peakRise = (peakSlope * span) / 100 / base;
  const middleRise = (floorRise + peakRise) / 2;
  return {
    windows: cut,
    floorSlope,
    peakSlope,
    rawSlope,
    span,
    floorRise,
    peakRise,
    middleRise,
    flat: peakRise <= tolerance && middleRise <= tolerance,
  };
}

/** The markdown table of measures' trends (bench/RESULTS.md). */
export function trendTable(measures: [name: string, trend: Trend][]): string[] {
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} %`;
  const lines = [
    "| measure | floor per window | peak per window | slope /100 instances: floor, peak, all " +
    "samples | rise over the run: floor, peak, middle | flat |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const [name, t] of measures) {
    const list = (f: (w: Trend["windows"][number]) => number) =>
      t.windows.map((w) => f(w).toFixed(0)).join(", ");
    lines.push(
      `| ${name} | ${list((w) => w.floor)} | ${list((w) => w.peak)} | ` +
        `${t.floorSlope.toFixed(2)}, ${t.peakSlope.toFixed(2)}, ${t.rawSlope.toFixed(2)} | ` +
        `${pct(t.floorRise)}, ${pct(t.peakRise)}, ${pct(t.middleRise)} | ` +
        `${t.flat ? "yes" : "NO"} |`,
    );
  }
  return lines;
}
