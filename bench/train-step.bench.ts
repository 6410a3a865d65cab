// One training step (forward, backward, SGD momentum 0.9, lr 0.01,
// cross-entropy) of each reference model at batch 64, in samples/s, for our
// Wasm builds and js backend against TensorFlow.js (tf.layers with the same
// architecture and optimizer, NHWC).
//
//   npm run bench:train [-- --quick] [-- --models mlp-s,cnn-m]
import { bench, manualSeed, optim, randn, referenceModel, takesImages, trainStep, MODEL_NAMES, type ModelName } from "../src/index.js";
import { describeMachine, machine, markdownTable, save } from "./lib/report.js";
import { peerInfo, usePeer, type PeerName } from "./lib/peers.js";
import { median, medianMs, ROUNDS } from "./lib/measure.js";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";
import { OURS, THREADS, selected, useEngine } from "./lib/engines.js";
import { pytorchInfo, pytorchTrain } from "./lib/native.js";
import { tfLayersModel } from "./peers/tfjs.js";
import { quick } from "./lib/measure.js";

enableRelaxedSimd(); // Node 20 has the relaxed-SIMD build behind a V8 flag

const B = 64;
const arg = process.argv.indexOf("--models");
const models: ModelName[] = arg > 0 ? (process.argv[arg + 1].split(",") as ModelName[]) : MODEL_NAMES;
const targets = bench.targets(B);

async function ours(engine: string, name: ModelName): Promise<number> {
  await useEngine(engine);
  manualSeed(0);
  const model = referenceModel(name);
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = randn(takesImages(name) ? [B, 1, 28, 28] : [B, 784]);
  const ms = await medianMs(() => trainStep(model, opt, { x, y: targets }));
  return (B * 1000) / ms;
}

async function peer(engine: PeerName, name: ModelName): Promise<number | string> {
  const tf = await usePeer(engine);
  const model = tfLayersModel(name);
  const opt = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal(takesImages(name) ? [B, 28, 28, 1] : [B, 784]);
  const y = tf.oneHot(tf.tensor1d(targets, "int32"), 10);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(
        () =>
          tf.losses.softmaxCrossEntropy(
            y,
            model.apply(x, { training: true }) as import("@tensorflow/tfjs").Tensor,
          ) as import("@tensorflow/tfjs").Scalar,
      );
    });
  try {
    step();
  } catch (e) {
    return `cannot train (${(e as Error).message.split("\n")[0].slice(0, 70)})`;
  }
  const ms = await medianMs(step);
  tf.dispose([x, y]);
  model.dispose();
  return (B * 1000) / ms;
}

// native PyTorch, where the machine has it, for scale (lib/native.ts)
const torch = pytorchInfo();
// the reference BLAS makes PyTorch 10x slower: a column against it would flatter us
if (torch && !torch.optimizedBlas) console.log(`PyTorch left out: it runs the reference BLAS (${torch.blas})`);
const pytorch = torch?.optimizedBlas ? THREADS.map((t) => `pytorch x${t}`) : [];
function pytorchFigure(name: ModelName, threads: number): number | string {
  const r = pytorchTrain(name, threads, quick);
  return typeof r === "string" ? r : r.median[name];
}

const engines = [...OURS.map((e) => e.name), "tfjs-wasm", "tfjs-cpu", ...pytorch].filter(selected);
const m = machine();
console.log(describeMachine(m));
// ROUNDS rounds over every model and engine (lib/measure.ts); a step slower
// than a second (the CPU peer on convolutions) runs in the first round only.
const runs: Record<string, Record<string, (number | string)[]>> = {};
for (let round = 1; round <= ROUNDS; round++) {
  for (const name of models) {
    runs[name] ??= {};
    for (const e of engines) {
      const before = (runs[name][e] ??= []);
      if (round > 1 && (typeof before[0] === "string" || before[0] < B)) continue;
      process.stdout.write(`round ${round}/${ROUNDS}: ${name} on ${e} ... `);
      const r = e.startsWith("tfjs")
        ? await peer(e as PeerName, name)
        : e.startsWith("pytorch")
          ? pytorchFigure(name, Number(e.split(" x")[1]))
          : await ours(e, name);
      before.push(r);
      console.log(typeof r === "number" ? `${r.toFixed(0)} samples/s` : r);
    }
  }
}
const medianOf = (xs: (number | string)[]) => (typeof xs[0] === "string" ? xs[0] : median(xs as number[]));
const results: Record<string, Record<string, number | string>> = Object.fromEntries(
  models.map((n) => [n, Object.fromEntries(engines.map((e) => [e, medianOf(runs[n][e])]))]),
);

const fmt = (v: number | string) => (typeof v === "number" ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : "cannot");
const ratio = (a: number | string, b: number | string) => (typeof a === "number" && typeof b === "number" ? `${(a / b).toFixed(1)}x` : "-");
// each threaded engine against the same build on one thread
const threaded = engines.filter((e) => / x\d+$/.test(e) && !e.startsWith("pytorch"));
const rows = models.map((n) => [
  n,
  ...engines.map((e) => fmt(results[n][e])),
  ratio(results[n]["wasm-simd"], results[n]["js"]),
  ratio(results[n]["wasm-simd"], results[n]["tfjs-wasm"]),
  ...threaded.map((e) => ratio(results[n][e], results[n][e.replace(/ x\d+$/, "")])),
]);
const notes = models.flatMap((n) =>
  engines.filter((e) => typeof results[n][e] === "string").map((e) => `- ${n} on ${e}: ${results[n][e]}`),
);
const md = [
  `Training samples/s (batch 64, one step = forward + backward + SGD momentum 0.9; median, then the median of ${ROUNDS} rounds), ${THREADS.length > 1 ? `threads ${THREADS.join(", ")} (an engine named "x2" runs on two)` : "one thread"}. ${describeMachine(m)}.`,
  `Peers: ${peerInfo()}, tf.layers, NHWC${pytorch.length ? `; PyTorch ${torch!.torch} (bench/native/pytorch.py, BLAS: ${torch!.blas}; "pytorch x1" on one thread)` : ""}. Command: \`npm run bench:train${THREADS.length > 1 ? ` -- --threads ${THREADS.join(",")}` : ""}\`.`,
  "",
  markdownTable(["model", ...engines, "simd / js", "simd / tfjs-wasm", ...threaded.map((e) => `${e} / 1 thread`)], rows),
  ...(notes.length ? ["", ...notes] : []),
].join("\n");
console.log("\n" + md);
save("train-step", md, { machine: m, peers: peerInfo(), engines, samplesPerSecond: results, rounds: runs });
