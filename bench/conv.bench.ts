// Convolution and pooling layers of LeNet-5 and CNN-M at batch 64: forward,
// and forward + backward, for our Wasm builds and js backend against
// TensorFlow.js (tfjs-backend-wasm cannot run the backward of a convolution:
// it has no Conv2DBackpropFilter kernel; the table says so).
//
//   npm run bench:conv [-- --quick]
import { noGrad, nn, randn, tidy, type Tensor } from "../src/index.js";
import { describeMachine, machine, markdownTable, save } from "./lib/report.js";
import { peerInfo, usePeer, type PeerName } from "./lib/peers.js";
import { medianMs } from "./lib/measure.js";
import type * as TF from "@tensorflow/tfjs";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";
import { OURS, useEngine } from "./lib/engines.js";

enableRelaxedSimd(); // Node 20 has the relaxed-SIMD build behind a V8 flag

const F = nn.functional;
const B = 64;

interface Layer {
  model: string;
  name: string;
  kind: "conv" | "maxpool";
  input: [number, number, number, number]; // NCHW
  out?: number;
  k: number;
  pad?: number;
  /** The first layer's input needs no gradient. */
  first?: boolean;
}

const LAYERS: Layer[] = [
  { model: "LeNet-5", name: "conv1 1->6 5x5 pad 2", kind: "conv", input: [B, 1, 28, 28], out: 6, k: 5, pad: 2, first: true },
  { model: "LeNet-5", name: "maxpool 2", kind: "maxpool", input: [B, 6, 28, 28], k: 2 },
  { model: "LeNet-5", name: "conv2 6->16 5x5", kind: "conv", input: [B, 6, 14, 14], out: 16, k: 5, pad: 0 },
  { model: "LeNet-5", name: "maxpool 2", kind: "maxpool", input: [B, 16, 10, 10], k: 2 },
  { model: "CNN-M", name: "conv1 1->32 3x3 pad 1", kind: "conv", input: [B, 1, 28, 28], out: 32, k: 3, pad: 1, first: true },
  { model: "CNN-M", name: "maxpool 2", kind: "maxpool", input: [B, 32, 28, 28], k: 2 },
  { model: "CNN-M", name: "conv2 32->64 3x3 pad 1", kind: "conv", input: [B, 32, 14, 14], out: 64, k: 3, pad: 1 },
  { model: "CNN-M", name: "maxpool 2", kind: "maxpool", input: [B, 64, 14, 14], k: 2 },
];

type Timing = { fwd: number | null; train: number | null; note?: string };

async function ours(engine: string): Promise<Timing[]> {
  await useEngine(engine);
  const out: Timing[] = [];
  for (const l of LAYERS) {
    const x = randn(l.input, { requiresGrad: !l.first });
    const params: Tensor[] =
      l.kind === "conv" ? [randn([l.out!, l.input[1], l.k, l.k], { requiresGrad: true }), randn([l.out!], { requiresGrad: true })] : [];
    const run = () => (l.kind === "conv" ? F.conv2d(x, params[0], params[1], { padding: l.pad }) : F.maxPool2d(x, l.k));
    const fwd = await medianMs(() => tidy(() => noGrad(run)).dispose());
    const y0 = noGrad(run);
    const g = randn(y0.shape);
    y0.dispose();
    const train = await medianMs(() =>
      tidy(() => {
        run().backward(g);
        for (const t of [x, ...params]) {
          t.grad?.dispose();
          t.grad = null;
        }
      }),
    );
    out.push({ fwd, train });
    for (const t of [x, g, ...params]) t.dispose();
  }
  return out;
}

async function peer(engine: PeerName): Promise<Timing[]> {
  const tf = await usePeer(engine);
  const out: Timing[] = [];
  for (const l of LAYERS) {
    const [n, c, h, w] = l.input;
    const x = tf.randomNormal([n, h, w, c]) as TF.Tensor4D; // NHWC, TensorFlow.js's native layout
    const filt = l.kind === "conv" ? (tf.randomNormal([l.k, l.k, c, l.out!]) as TF.Tensor4D) : null;
    const bias = l.kind === "conv" ? tf.randomNormal([l.out!]) : null;
    const pad = l.pad
      ? ([
          [0, 0],
          [l.pad, l.pad],
          [l.pad, l.pad],
          [0, 0],
        ] as [number, number][])
      : "valid";
    const run = (xi: TF.Tensor4D, fi: TF.Tensor4D | null) =>
      l.kind === "conv" ? tf.add(tf.conv2d(xi, fi!, 1, pad as "valid"), bias!) : tf.maxPool(xi, l.k, l.k, "valid");
    const fwd = await medianMs(() => tf.tidy(() => run(x, filt)).dispose());
    let train: number | null = null;
    let note: string | undefined;
    const vars = l.kind === "conv" ? (l.first ? [filt!] : [x, filt!]) : [x];
    const lossOf = (...ts: TF.Tensor[]) => {
      const xi = (l.kind === "conv" && l.first ? x : ts[0]) as TF.Tensor4D;
      const fi = l.kind === "conv" ? ((l.first ? ts[0] : ts[1]) as TF.Tensor4D) : null;
      return tf.sum(run(xi, fi)) as TF.Scalar;
    };
    try {
      const gradFn = tf.grads(lossOf);
      tf.tidy(() => gradFn(vars));
      train = await medianMs(() =>
        tf.tidy(() => {
          gradFn(vars).forEach((t) => t.dataSync());
        }),
      );
    } catch (e) {
      note = `cannot train: ${(e as Error).message.split("\n")[0].slice(0, 80)}`;
    }
    out.push({ fwd, train, note });
    tf.dispose([x, ...(filt ? [filt] : []), ...(bias ? [bias] : [])]);
  }
  return out;
}

const engines = [...OURS.map((e) => e.name), "tfjs-wasm", "tfjs-cpu"];
const m = machine();
console.log(describeMachine(m));
const results: Record<string, Timing[]> = {};
for (const e of engines) {
  process.stdout.write(`${e} ...`);
  results[e] = e.startsWith("tfjs") ? await peer(e as PeerName) : await ours(e);
  console.log(" done");
}

const ms = (v: number | null) => (v === null ? "cannot" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const rows = LAYERS.map((l, i) => [`${l.model} ${l.name}`, ...engines.flatMap((e) => [ms(results[e][i].fwd), ms(results[e][i].train)])]);
const header = ["layer (batch 64)", ...engines.flatMap((e) => [`${e} fwd`, `${e} fwd+bwd`])];
const notes = engines
  .flatMap((e) => results[e].map((r, i) => (r.note ? `${e}, ${LAYERS[i].model} ${LAYERS[i].name}: ${r.note}` : null)))
  .filter(Boolean);
const md = [
  `Milliseconds per batch of 64 (median), one thread. ${describeMachine(m)}.`,
  `Peers: ${peerInfo()}, NHWC (their native layout). Command: \`npm run bench:conv\`.`,
  "",
  markdownTable(header, rows),
  ...(notes.length ? ["", ...[...new Set(notes)].map((n) => `- ${n}`)] : []),
].join("\n");
console.log("\n" + md);
save("conv", md, { machine: m, peers: peerInfo(), engines, layers: LAYERS, results });
