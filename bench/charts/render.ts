// Renders the benchmark charts to SVG. Vega renders SVG without a canvas, so
// this runs in plain Node; the specs are the ones a page renders.
//   npm run bench:charts     (redraws every chart from bench/results/*.json)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { bench } from "../../src/index.js";
import { writeFileAtomic } from "../../src/node/files.js";

export const RESULTS = join(import.meta.dirname, "..", "results");

export async function renderSvg(spec: object, file: string): Promise<void> {
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: "none" });
  writeFileAtomic(join(RESULTS, file), await view.toSVG());
  view.finalize();
  console.log(`wrote bench/results/${file}`);
}

/** The report's two charts: speedups over js per workload, and training samples/s per model. */
export async function renderReportCharts(report: bench.BenchReport): Promise<void> {
  await renderSvg(bench.speedupChart(report), "speedup.svg");
  if (report.workloads.some((w) => w.suite === "training")) await renderSvg(bench.trainingChart(report), "training.svg");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const read = <T = bench.BenchReport>(name: string) => JSON.parse(readFileSync(join(RESULTS, name), "utf8")) as T;
  const present = (name: string) => existsSync(join(RESULTS, name));
  if (present("train-step.json")) await renderSvg(bench.trainingChart(read("train-step.json")), "train-step.svg");
  for (const area of ["gemm", "conv"]) if (present(`${area}.json`)) await renderSvg(bench.gflopsChart(read(`${area}.json`)), `${area}.svg`);
  if (present("latest.json")) await renderReportCharts(read("latest.json"));
  if (present("scaling.json"))
    await renderSvg(bench.scalingChart(read<{ report: bench.BenchReport }>("scaling.json").report), "scaling.svg");
}
