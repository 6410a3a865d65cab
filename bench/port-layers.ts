// Where the ported CNNs' time goes against PyTorch: every convolution of
// kaggle-cnn and pytorch-mnist, forward + backward at batch 64 (the bulk of
// their training steps), ours and PyTorch's in one run, in ms and GFLOP/s;
// and the one-thread 512x512x512 GEMM of each, the ceiling a convolution
// built on it can approach. Writes bench/results/port-layers.{md,json}.
//
//   npm run bench:layers [-- --threads 2]
// PyTorch's side needs Debian's python3-torch (bench/native/port_layers.py).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bench, init, nn, randn, tidy, noGrad, getBackend } from "../src/index.js";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";
import { describeMachine, machine, markdownTable, save } from "./lib/report.js";

enableRelaxedSimd(); // Node 20 has the relaxed-SIMD build behind a V8 flag

const { values } = parseArgs({ options: { threads: { type: "string", default: "2" }, reps: { type: "string", default: "15" } } });
const threads = Number(values.threads);
const reps = Number(values.reps);
const B = 64;

interface Layer {
  script: string;
  name: string;
  input: [number, number, number, number];
  out: number;
  k: number;
  stride: number;
  pad: number;
  /** The first layer's input needs no gradient. */
  first?: boolean;
}
const conv = (script: string, name: string, input: Layer["input"], out: number, k: number, stride = 1, pad = 0, first = false): Layer => ({
  script,
  name,
  input: [B, ...input.slice(1)] as Layer["input"],
  out,
  k,
  stride,
  pad,
  first,
});
const LAYERS: Layer[] = [
  conv("kaggle-cnn", "1->32 3x3", [B, 1, 28, 28], 32, 3, 1, 0, true),
  conv("kaggle-cnn", "32->32 3x3", [B, 32, 26, 26], 32, 3),
  conv("kaggle-cnn", "32->32 5x5 stride 2", [B, 32, 24, 24], 32, 5, 2, 2),
  conv("kaggle-cnn", "32->64 3x3", [B, 32, 12, 12], 64, 3),
  conv("kaggle-cnn", "64->64 3x3", [B, 64, 10, 10], 64, 3),
  conv("kaggle-cnn", "64->64 5x5 stride 2", [B, 64, 8, 8], 64, 5, 2, 2),
  conv("kaggle-cnn", "64->128 4x4", [B, 64, 4, 4], 128, 4),
  conv("pytorch-mnist", "1->32 3x3", [B, 1, 28, 28], 32, 3, 1, 0, true),
  conv("pytorch-mnist", "32->64 3x3", [B, 32, 26, 26], 64, 3),
];

/** Multiply-adds of the forward pass; training does three times as many (two for the first layer). */
function flops(l: Layer): number {
  const o = Math.floor((l.input[2] + 2 * l.pad - l.k) / l.stride) + 1;
  return 2 * B * l.out * o * o * l.input[1] * l.k * l.k * (l.first ? 2 : 3);
}

/** Median ms per call, with the report's timing (src/bench). */
const medianMs = (fn: () => void) => bench.median(bench.timeCalls(fn, bench.FULL));

const F = nn.functional;
async function ours(): Promise<{ trainMs: number[]; gemm512GflopsOneThread: number; backend: string }> {
  await init({ threads: 1 });
  const a = randn([512, 512]);
  const gemm = medianMs(() => tidy(() => noGrad(() => a.matmul(a))).dispose());
  a.dispose();
  await init({ threads });
  const trainMs = LAYERS.map((l) => {
    const x = randn(l.input, { requiresGrad: !l.first });
    const w = randn([l.out, l.input[1], l.k, l.k], { requiresGrad: true });
    const b = randn([l.out], { requiresGrad: true });
    const run = () => F.conv2d(x, w, b, { stride: l.stride, padding: l.pad });
    const y = noGrad(run);
    const g = randn(y.shape);
    y.dispose();
    const ms = medianMs(() =>
      tidy(() => {
        run().backward(g);
        for (const t of [x, w, b]) {
          t.grad?.dispose();
          t.grad = null;
        }
      }),
    );
    for (const t of [x, w, b, g]) t.dispose();
    return ms;
  });
  return { trainMs, gemm512GflopsOneThread: (2 * 512 ** 3) / gemm / 1e6, backend: getBackend() };
}

const mine = await ours();
const theirs = JSON.parse(
  execFileSync("/usr/bin/python3", [join(import.meta.dirname, "native", "port_layers.py")], {
    input: JSON.stringify({ threads, reps, layers: LAYERS }),
    encoding: "utf8",
  }),
) as { torch: string; trainMs: number[]; gemm512GflopsOneThread: number };

const gf = (l: Layer, ms: number) => (flops(l) / ms / 1e6).toFixed(0);
const rows = LAYERS.map((l, i) => [
  l.script,
  l.name,
  mine.trainMs[i].toFixed(2),
  gf(l, mine.trainMs[i]),
  theirs.trainMs[i].toFixed(2),
  gf(l, theirs.trainMs[i]),
  `${(theirs.trainMs[i] / mine.trainMs[i]).toFixed(2)}x`,
]);
rows.push([
  "GEMM 512, 1 thread",
  "",
  "",
  mine.gemm512GflopsOneThread.toFixed(0),
  "",
  theirs.gemm512GflopsOneThread.toFixed(0),
  `${(mine.gemm512GflopsOneThread / theirs.gemm512GflopsOneThread).toFixed(2)}x`,
]);
const table = markdownTable(
  ["script", "convolution (batch 64)", "ours ms", "ours GFLOP/s", "PyTorch ms", "PyTorch GFLOP/s", "ours / PyTorch"],
  rows,
);
const m = machine();
const markdown = `Each convolution's forward + backward at batch 64, median ms (ours: src/bench's timing; PyTorch: of ${reps} calls), ${threads} threads (the GEMM: one). ${describeMachine(m)}; ours: ${mine.backend}; PyTorch ${theirs.torch}.\n\n${table}`;
console.log(markdown);
save("port-layers", markdown, { machine: m, threads, layers: LAYERS, ours: mine, pytorch: theirs });
