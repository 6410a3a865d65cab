// What augmentation costs a training epoch: MLP-L at batch 64 over the same
// images with the DataLoader's augmentation (elastic, affine: the defaults)
// and without, on 1 and 2 threads, rounds interleaved, in Node and in
// headless Chromium (the same function, in a Worker on the built dist/). The ratio is the figure: the target is an augmented
// epoch within 1.15x of a plain one.
//
//   npm run bench:augment [-- --limit 12000] [-- --rounds 3] [-- --no-browser]
// MNIST from WASMGRAD_DATA (a folder holding mnist/), else the offline sample.
import { parseArgs } from "node:util";
import { bench, data } from "../src/index.js";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";
import { hasChromium } from "../test/helpers/chromium.js";
import { runInChromium } from "./lib/browser.js";
import { describeMachine, machine, markdownTable, save } from "./lib/report.js";

enableRelaxedSimd(); // Node 20 has the relaxed-SIMD build behind a V8 flag

const { values } = parseArgs({
  options: {
    limit: { type: "string", default: "12000" },
    rounds: { type: "string", default: "3" },
    "no-browser": { type: "boolean", default: false },
  },
});
const dir = process.env.WASMGRAD_DATA;
const mnist = await data.loadMnist(dir ? { dir: `${dir}/mnist`, log: () => {} } : { download: false, log: () => {} });
const images = data.subset(mnist.train, Number(values.limit));

type Library = typeof import("../src/index.js");
interface Rounds {
  backend: string;
  threads: number;
  plain: number[];
  augmented: number[];
}

/**
 * Seconds of plain and augmented epochs, interleaved, per thread count. It
 * refers to nothing outside itself, so a page can run its source on the
 * library it imported.
 */
async function measure(lib: Library, ds: data.ImageDataset, threadCounts: number[], rounds: number): Promise<Rounds[]> {
  const epoch = (augment: boolean): number => {
    lib.manualSeed(1);
    const model = lib.referenceModel("mlp-l");
    const opt = new lib.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const loader = new lib.data.DataLoader(ds, { batchSize: 64, flat: true, augment });
    const t0 = performance.now();
    for (const b of loader) lib.trainStep(model, opt, b);
    const s = (performance.now() - t0) / 1000;
    loader.dispose();
    opt.dispose();
    for (const p of model.parameters()) p.dispose();
    return s;
  };
  const out: Rounds[] = [];
  for (const threads of threadCounts) {
    await lib.init({ threads });
    epoch(false); // warm-up
    const r: Rounds = { backend: lib.getBackend(), threads, plain: [], augmented: [] };
    for (let i = 0; i < rounds; i++) {
      r.plain.push(epoch(false));
      r.augmented.push(epoch(true));
    }
    out.push(r);
  }
  return out;
}

const results: Record<string, Rounds[]> = { node: await measure(await import("../src/index.js"), images, [1, 2], Number(values.rounds)) };
if (!values["no-browser"]) {
  if (hasChromium) results.chromium = await runInChromium(measure, images, [1, 2], Number(values.rounds));
  else console.log("Chromium not found: Node only (apt-get install chromium, or set CHROMIUM_PATH)");
}
const rows = Object.entries(results).flatMap(([runtime, rs]) =>
  rs.map((r) => {
    const [p, a] = [bench.median(r.plain), bench.median(r.augmented)];
    return [
      `${runtime}, ${r.backend}, ${r.threads} thread${r.threads > 1 ? "s" : ""}`,
      p.toFixed(2),
      a.toFixed(2),
      `${(a / p).toFixed(2)}x`,
    ];
  }),
);
const m = machine();
const markdown =
  `MLP-L, batch 64, one epoch of ${images.count.toLocaleString("en-US")} images, seconds (median of ${values.rounds} interleaved rounds); ` +
  `${describeMachine(m)}${results.chromium ? ", and headless Chromium" : ""}; \`npm run bench:augment -- --limit ${values.limit}\`.\n\n` +
  markdownTable(["runtime, engine", "plain", "augmented", "augmented / plain"], rows);
console.log(markdown);
save("augment", markdown, { machine: m, limit: images.count, results });
process.exit(0);
