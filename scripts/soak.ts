// The soak run: threaded training of CNN-M with augmentation for a fixed wall
// time, memory sampled every minute (the library's live tensors and bytes,
// the Wasm heap, and the process's RSS and JS heap), to show that a long run
// holds its memory flat. Writes docs/soak/soak.json and docs/soak/memory.svg.
//   node --import tsx scripts/soak.ts [--minutes 60] [--threads 2] [--every 60]
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";
import { init, getBackend, getThreads, memory, referenceModel, optim, data, fit } from "../src/index.js";
import { writeFileAtomic } from "../src/node/files.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "60" },
    threads: { type: "string", default: "2" },
    every: { type: "string", default: "60" },
  },
});
const minutes = Number(values.minutes),
  every = Number(values.every) * 1000;
const out = join(import.meta.dirname, "..", "docs", "soak");

enableRelaxedSimd();
await init({ threads: Number(values.threads) });
const { train } = await data.loadMnist();
const model = referenceModel("cnn-m");
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const loader = new data.DataLoader(train, { batchSize: 64, augment: true });

interface Sample {
  minute: number;
  steps: number;
  loss: number;
  tensors: number;
  liveMB: number;
  wasmMB: number;
  rssMB: number;
  jsHeapMB: number;
}
const samples: Sample[] = [];
const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const t0 = performance.now();
let steps = 0,
  next = 0,
  lastLoss = NaN;
function sample(): void {
  const m = memory(),
    p = process.memoryUsage();
  samples.push({
    minute: Math.round(((performance.now() - t0) / 60000) * 100) / 100,
    steps,
    loss: Math.round(lastLoss * 1e4) / 1e4,
    tensors: m.tensors,
    liveMB: mb(m.bytes),
    wasmMB: mb(m.wasmBytes),
    rssMB: mb(p.rss),
    jsHeapMB: mb(p.heapUsed),
  });
  console.log(JSON.stringify(samples.at(-1)));
}

console.log(`soak: cnn-m, augmentation on, ${getBackend()}, ${getThreads()} threads, ${minutes} min`);
const stop = new AbortController();
await fit(model, {
  optimizer,
  epochs: 1_000_000,
  data: loader,
  signal: stop.signal,
  onBatch: (b) => {
    steps++;
    lastLoss = b.loss;
    const now = performance.now() - t0;
    if (now >= next) {
      sample();
      next += every;
    }
    if (now >= minutes * 60000) stop.abort();
  },
});
if (samples.at(-1)?.steps !== steps) sample(); // the last batch's, unless it was just taken

mkdirSync(out, { recursive: true });
const meta = {
  command: `node --import tsx scripts/soak.ts --minutes ${minutes} --threads ${values.threads}`,
  data: (await data.loadMnist()).source,
  backend: getBackend(),
  threads: getThreads(),
  node: process.version,
  date: new Date().toISOString(),
};
writeFileAtomic(join(out, "soak.json"), JSON.stringify({ ...meta, samples }, null, 1) + "\n");
const series = ["wasmMB", "liveMB", "rssMB", "jsHeapMB"];
const spec = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  title: `Memory during ${minutes} min of threaded CNN-M training with augmentation (${meta.backend}, ${meta.threads} threads)`,
  width: 560,
  height: 260,
  data: { values: samples.flatMap((s) => series.map((k) => ({ minute: s.minute, series: k, MB: s[k as keyof Sample] }))) },
  mark: { type: "line", point: true },
  encoding: {
    x: { field: "minute", type: "quantitative", title: "minutes of training" },
    y: { field: "MB", type: "quantitative", title: "MB" },
    color: { field: "series", type: "nominal", title: null },
  },
};
const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: "none" });
writeFileAtomic(join(out, "memory.svg"), await view.toSVG());
view.finalize();
console.log(`wrote docs/soak/soak.json and docs/soak/memory.svg (${steps} steps)`);
