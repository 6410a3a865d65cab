// A recipe run's learning curves for docs/CIRESAN.md: the epochs a
// `wasmgrad train --checkpoint FILE` run has finished (read from its
// checkpoint, so a run still going or stopped can be reported) as JSON, and
// its train, validation and test error per epoch as an SVG (Vega-Lite).
//   node --import tsx scripts/ciresan-report.ts CHECKPOINT NAME   (writes docs/ciresan/NAME.json and NAME.svg)
import { join } from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { init, io } from "../src/index.js";
import { writeFileAtomic } from "../src/node/files.js";

const [file, name] = process.argv.slice(2);
if (!file || !name) throw new Error("usage: node --import tsx scripts/ciresan-report.ts CHECKPOINT NAME");
await init({ backend: "js" }); // the checkpoint's tensors need a backend; nothing is computed
const { meta } = io.loadCheckpoint(new Uint8Array(readFileSync(file)));
const { run, epochs, best } = meta as {
  run: Record<string, unknown>;
  epochs: { epoch: number; trainAccuracy: number; validationAccuracy?: number; testAccuracy: number; seconds: number }[];
  best: { epoch: number; validationAccuracy: number; testAccuracy: number } | null;
};
const out = join(import.meta.dirname, "..", "docs", "ciresan");
mkdirSync(out, { recursive: true });
const trainingSeconds = epochs.reduce((s, e) => s + e.seconds, 0);
writeFileAtomic(join(out, `${name}.json`), JSON.stringify({ run, best, trainingSeconds, epochs }, null, 1) + "\n");

const values = epochs.flatMap((e) => [
  { epoch: e.epoch, set: "train (deformed)", error: 100 * (1 - e.trainAccuracy) },
  ...(e.validationAccuracy === undefined ? [] : [{ epoch: e.epoch, set: "validation", error: 100 * (1 - e.validationAccuracy) }]),
  { epoch: e.epoch, set: "test", error: 100 * (1 - e.testAccuracy) },
]);
const spec = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  title: {
    text: `wasmgrad train --recipe ${String(run.recipe)}: error per epoch (log scale)`,
    subtitle: `${epochs.length} epochs, ${(trainingSeconds / 60).toFixed(0)} min of training; the paper's row: 0.49% test error at the best validation`,
  },
  data: { values },
  width: 520,
  height: 280,
  layer: [
    {
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "epoch", type: "quantitative" },
        y: { field: "error", type: "quantitative", scale: { type: "log" }, title: "error (%)" },
        color: { field: "set", type: "nominal" },
      },
    },
    { mark: { type: "rule", strokeDash: [4, 4] }, encoding: { y: { datum: 0.49 } } },
  ],
};
const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: "none" });
writeFileAtomic(join(out, `${name}.svg`), await view.toSVG());
view.finalize();
console.log(`wrote docs/ciresan/${name}.json and ${name}.svg (${epochs.length} epochs)`);
