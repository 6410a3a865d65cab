// Renders the benchmark charts to SVG from bench/results/*.json:
//   npm run bench:charts     (after bench:train / bench:gemm)
// Vega renders SVG without a canvas, so this runs in plain Node.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { gemmChart, trainingChart } from "./specs.js";

const results = join(import.meta.dirname, "..", "results");

async function svg(spec: TopLevelSpec, file: string): Promise<void> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  writeFileSync(join(results, file), await view.toSVG());
  view.finalize();
  console.log(`wrote bench/results/${file}`);
}

const read = (name: string) => JSON.parse(readFileSync(join(results, name), "utf8"));
await svg(trainingChart(read("train-step.json")), "train-step.svg");
await svg(gemmChart(read("gemm.json")), "gemm.svg");
