// Vega-Lite specs of the benchmark charts, built from the results JSON that
// the suites write. The same specs render to SVG in Node (render.ts) and, in
// a page, with vega-embed; only the data differs.
import type { TopLevelSpec } from "vega-lite";
import { bench } from "../../src/index.js";

export interface TrainResults {
  machine: { node: string; date: string; cpu: string; cores: number };
  engines: string[];
  samplesPerSecond: Record<string, Record<string, number | string>>;
}

export interface GemmResults {
  machine: { node: string; date: string; cpu: string; cores: number };
  engines: string[];
  shapes: { label: string }[];
  /** Per engine, one figure per shape (in the order of shapes), or why it could not run. */
  gflops: Record<string, (number | string)[]>;
}

const subtitle = (m: TrainResults["machine"]) => `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date.slice(0, 10)}; "x2": two threads`;

/** Training samples/s per model (log scale: the engines span three orders of magnitude), one bar per engine; the report's spec. */
export function trainingChart(r: TrainResults): bench.VegaLiteSpec {
  const values = Object.entries(r.samplesPerSecond).flatMap(([model, byEngine]) =>
    Object.entries(byEngine).flatMap(([engine, v]) => (typeof v === "number" ? [{ model, engine, samplesPerSecond: Math.round(v) }] : [])),
  );
  return bench.samplesPerSecondChart(values, Object.keys(r.samplesPerSecond), r.engines, subtitle(r.machine));
}

/** GEMM GFLOP/s of the SIMD build and the js backend against tfjs-backend-wasm, per shape. */
export function gemmChart(
  r: GemmResults,
  engines = ["wasm-relaxed-simd x2", "wasm-relaxed-simd", "wasm-simd", "tfjs-wasm", "js"],
): TopLevelSpec {
  const values = r.shapes.flatMap(({ label }, i) =>
    engines.flatMap((engine) => {
      const v = r.gflops[engine]?.[i];
      return typeof v === "number" ? [{ shape: label, engine, gflops: Math.round(v * 10) / 10 }] : [];
    }),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "SGEMM GFLOP/s (higher is better)", subtitle: subtitle(r.machine) },
    data: { values },
    width: 520,
    height: { step: 9 },
    mark: "bar",
    encoding: {
      row: {
        field: "shape",
        type: "nominal",
        sort: r.shapes.map((s) => s.label),
        title: null,
        header: { labelAngle: 0, labelAlign: "left" },
      },
      y: { field: "engine", type: "nominal", sort: engines, axis: null },
      x: { field: "gflops", type: "quantitative", title: "GFLOP/s" },
      color: { field: "engine", type: "nominal", sort: engines },
      tooltip: [{ field: "shape" }, { field: "engine" }, { field: "gflops" }],
    },
    config: { facet: { spacing: 2 } },
  };
}
