// What augmentation costs a training epoch: MLP-L at batch 64 over the same
// images with the DataLoader's augmentation (elastic, affine: the defaults)
// and without, on 1 and 2 threads, rounds interleaved in one process. The
// ratio is the figure: the target is an augmented epoch within 1.15x of a
// plain one.
//
//   npm run bench:augment [-- --limit 12000] [-- --rounds 3]
// MNIST from WASMGRAD_DATA (a folder holding mnist/), else the offline sample.
import { parseArgs } from "node:util";
import { bench, data, getBackend, init, manualSeed, optim, referenceModel, trainStep } from "../src/index.js";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";
import { describeMachine, machine, markdownTable, save } from "./lib/report.js";

enableRelaxedSimd(); // Node 20 has the relaxed-SIMD build behind a V8 flag

const { values } = parseArgs({ options: { limit: { type: "string", default: "12000" }, rounds: { type: "string", default: "3" } } });
const dir = process.env.WASMGRAD_DATA;
const mnist = await data.loadMnist(dir ? { dir: `${dir}/mnist`, log: () => {} } : { download: false, log: () => {} });
const images = data.subset(mnist.train, Number(values.limit));

/** Seconds of one epoch of MLP-L training steps over `images`. */
function epoch(augment: boolean): number {
  manualSeed(1);
  const model = referenceModel("mlp-l");
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const loader = new data.DataLoader(images, { batchSize: 64, flat: true, augment });
  const t0 = performance.now();
  for (const b of loader) trainStep(model, opt, b);
  const s = (performance.now() - t0) / 1000;
  loader.dispose();
  opt.dispose();
  for (const p of model.parameters()) p.dispose();
  return s;
}

const rows: (string | number)[][] = [];
const results: Record<string, { plain: number[]; augmented: number[] }> = {};
for (const threads of [1, 2]) {
  await init({ threads });
  epoch(false); // warm-up
  const plain: number[] = [],
    augmented: number[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    plain.push(epoch(false));
    augmented.push(epoch(true));
  }
  const [p, a] = [bench.median(plain), bench.median(augmented)];
  results[`${threads}`] = { plain, augmented };
  rows.push([`${getBackend()}, ${threads} thread${threads > 1 ? "s" : ""}`, p.toFixed(2), a.toFixed(2), `${(a / p).toFixed(2)}x`]);
}
const m = machine();
const markdown =
  `MLP-L, batch 64, one epoch of ${images.count.toLocaleString("en-US")} images, seconds (median of ${values.rounds} interleaved rounds); ` +
  `${describeMachine(m)}; \`npm run bench:augment -- --limit ${values.limit}\`.\n\n` +
  markdownTable(["engine", "plain", "augmented", "augmented / plain"], rows);
console.log(markdown);
save("augment", markdown, { machine: m, limit: images.count, results });
process.exit(0);
