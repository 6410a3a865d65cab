// Vega-Lite specs of the report's charts, built from a report alone, so the
// same spec renders to SVG in Node (bench/charts/render.ts) and in a page
// (the demo's Benchmark tab). Plain JSON: no Vega at run time here.
import { index, scaling, valueOf } from "./report.js";
import type { BenchReport } from "./types.js";

export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const subtitle = (r: BenchReport) =>
  `${r.environment.cpu ? `${r.environment.cpu}, ` : ""}${r.environment.cores} cores; ${r.environment.runtime.slice(0, 60)}; ${r.date.slice(0, 10)}; "x2": two threads`;

/** Each Wasm engine's speedup over the js backend (the same algorithms in plain JavaScript), per workload. */
export function speedupChart(r: BenchReport): VegaLiteSpec {
  const rows = index(r);
  const engines = r.contenders.filter((c) => c.kind === "ours" && c.name !== "js").map((c) => c.name);
  const values = r.workloads.flatMap((w) => {
    const js = rows.get(w.id)?.get("js")?.medianMs;
    if (js === undefined) return [];
    return engines.flatMap((engine) => {
      const ms = rows.get(w.id)?.get(engine)?.medianMs;
      return ms === undefined ? [] : [{ workload: w.id, suite: w.suite, engine, speedup: Math.round((js / ms) * 10) / 10 }];
    });
  });
  return workloadBars(
    r,
    "Speedup over the js backend (higher is better)",
    values,
    r.workloads.map((w) => w.id),
    engines,
    { field: "speedup", type: "quantitative", scale: { type: "log" }, stack: false, title: "x faster than js (log scale)" },
    420,
  );
}

/** Bars of one figure per engine, in a row per workload. */
function workloadBars(
  r: BenchReport,
  text: string,
  values: object[],
  workloads: string[],
  engines: string[],
  x: { field: string } & Record<string, unknown>,
  width: number,
): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title: { text, subtitle: subtitle(r) },
    data: { values },
    width,
    height: { step: 7 },
    mark: "bar",
    encoding: {
      row: { field: "workload", type: "nominal", sort: workloads, title: null, header: { labelAngle: 0, labelAlign: "left" } },
      y: { field: "engine", type: "nominal", sort: engines, axis: null },
      x,
      color: { field: "engine", type: "nominal", sort: engines, legend: { labelLimit: 240 } },
      tooltip: [{ field: "workload" }, { field: "engine" }, { field: x.field }],
    },
    config: { facet: { spacing: 2 } },
  };
}

/** Training samples/s per model, one bar per contender (log scale: they span three orders of magnitude). */
export function trainingChart(r: BenchReport): VegaLiteSpec {
  const rows = index(r);
  const engines = r.contenders.map((c) => c.name);
  const train = r.workloads.filter((w) => w.suite === "training");
  const modelOf = (w: (typeof train)[number]) => (w.spec.kind === "train" ? w.spec.model : w.id);
  const values = train.flatMap((w) =>
    engines.flatMap((engine) => {
      const ms = rows.get(w.id)?.get(engine)?.medianMs;
      return ms === undefined ? [] : [{ model: modelOf(w), engine, samplesPerSecond: Math.round(valueOf(w, ms)) }];
    }),
  );
  return samplesPerSecondChart(values, train.map(modelOf), engines, subtitle(r));
}

/** The bars of trainingChart from plain rows. */
export function samplesPerSecondChart(
  values: { model: string; engine: string; samplesPerSecond: number }[],
  models: string[],
  engines: string[],
  subtitleText: string,
): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title: { text: "Training samples/s, batch 64 (higher is better)", subtitle: subtitleText },
    data: { values },
    width: 160,
    height: 220,
    mark: "bar",
    encoding: {
      column: { field: "model", type: "nominal", sort: models, title: null },
      x: { field: "engine", type: "nominal", sort: engines, axis: { labelAngle: -45 }, title: null },
      y: { field: "samplesPerSecond", type: "quantitative", scale: { type: "log" }, stack: false, title: "samples/s (log scale)" },
      color: { field: "engine", type: "nominal", sort: engines, legend: null },
      tooltip: [{ field: "engine" }, { field: "samplesPerSecond", format: "," }],
    },
  };
}

/** Each workload's speedup over one thread against the thread count, one panel per engine (the report's scaling table). */
export function scalingChart(r: BenchReport): VegaLiteSpec {
  const rows = scaling(r);
  const values = rows.flatMap((row) =>
    row.byThreads.map((b) => ({
      workload: row.workload,
      engine: row.engine,
      threads: b.threads,
      speedup: Math.round(b.speedup * 100) / 100,
    })),
  );
  return {
    $schema: SCHEMA,
    title: { text: "Speedup over one thread (higher is better)", subtitle: subtitle(r) },
    data: { values },
    width: 260,
    height: 220,
    mark: { type: "line", point: true },
    encoding: {
      column: { field: "engine", type: "nominal", title: null },
      x: {
        field: "threads",
        type: "quantitative",
        scale: { type: "log", base: 2 },
        axis: { values: [1, 2, 4, 8, 16, 32, 64] },
        title: "threads",
      },
      y: { field: "speedup", type: "quantitative", title: "x one thread" },
      color: { field: "workload", type: "nominal", sort: r.workloads.map((w) => w.id), legend: { labelLimit: 240 } },
      tooltip: [{ field: "workload" }, { field: "engine" }, { field: "threads" }, { field: "speedup" }],
    },
  };
}

/** GFLOP/s of every contender per workload that counts its operations (GEMM, convolution): the per-area tables' chart. */
export function gflopsChart(r: BenchReport): VegaLiteSpec {
  const rows = index(r);
  const engines = r.contenders.map((c) => c.name);
  const counted = r.workloads.filter((w) => w.flops);
  const values = counted.flatMap((w) =>
    engines.flatMap((engine) => {
      const ms = rows.get(w.id)?.get(engine)?.medianMs;
      return ms === undefined ? [] : [{ workload: w.id, engine, gflops: Math.round(valueOf(w, ms) * 10) / 10 }];
    }),
  );
  return workloadBars(
    r,
    "GFLOP/s (higher is better)",
    values,
    counted.map((w) => w.id),
    engines,
    { field: "gflops", type: "quantitative", title: "GFLOP/s" },
    520,
  );
}
