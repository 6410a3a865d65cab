// GEMM throughput, GFLOP/s = 2 M N K / median time, for every engine in one
// process: our three Wasm builds and the js backend, against TensorFlow.js on
// tfjs-backend-wasm (XNNPACK) and tfjs-backend-cpu.
//
//   npm run bench:gemm            (all shapes, three rounds)
//   npm run bench:gemm -- --quick (one round, fewer samples)
// Every engine runs on every shape in each of ROUNDS rounds (lib/measure.ts).
import { randn, type Tensor } from "../src/index.js";
import { activeBackend } from "../src/backend/backend.js";
import { sgemm } from "../src/backend/parallel.js";
import { describeMachine, machine, markdownTable, save } from "./lib/report.js";
import { peerInfo, usePeer, type PeerName } from "./lib/peers.js";
import { median, medianMs, quick, ROUNDS } from "./lib/measure.js";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";
import { OURS, THREADS, useEngine } from "./lib/engines.js";

enableRelaxedSimd(); // Node 20 has the relaxed-SIMD build behind a V8 flag

interface Shape {
  label: string;
  M: number;
  N: number;
  K: number;
  tA: boolean;
  tB: boolean;
}

function shapes(): Shape[] {
  const out: Shape[] = [];
  for (const n of [64, 128, 256, 512, 1024]) out.push({ label: `square ${n}`, M: n, N: n, K: n, tA: false, tB: false });
  out.push({ label: "square 512, A^T B", M: 512, N: 512, K: 512, tA: true, tB: false });
  out.push({ label: "square 512, A B^T", M: 512, N: 512, K: 512, tA: false, tB: true });
  // Linear layers as PyTorch stores them (weight [out, in]) at batch 64:
  // forward X W^T, input gradient G W, weight gradient G^T X.
  const layers: [string, number, number][] = [
    ["MLP-S 784-128", 784, 128],
    ["MLP-S 128-10", 128, 10],
    ["MLP-L 784-1000", 784, 1000],
    ["MLP-L 1000-500", 1000, 500],
    ["MLP-L 500-10", 500, 10],
  ];
  for (const [name, i, o] of layers) {
    out.push({ label: `${name} fwd X W^T`, M: 64, N: o, K: i, tA: false, tB: true });
    out.push({ label: `${name} dX = G W`, M: 64, N: i, K: o, tA: false, tB: false });
    out.push({ label: `${name} dW = G^T X`, M: o, N: i, K: 64, tA: true, tB: false });
  }
  return out;
}

type Engine = `wasm-${string}` | "js" | PeerName;

async function measure(fn: () => void, flops: number): Promise<number> {
  return flops / ((await medianMs(fn, quick ? 100 : 150)) * 1e-3) / 1e9;
}

async function ours(engine: Engine, list: Shape[]): Promise<number[]> {
  await useEngine(engine);
  const be = activeBackend();
  const res: number[] = [];
  for (const s of list) {
    const a: Tensor = randn(s.tA ? [s.K, s.M] : [s.M, s.K]);
    const b: Tensor = randn(s.tB ? [s.N, s.K] : [s.K, s.N]);
    const c: Tensor = randn([s.M, s.N]);
    const [pa, pb, pc] = [a._ptr, b._ptr, c._ptr];
    const lda = a.shape[1],
      ldb = b.shape[1];
    res.push(
      // through the kernel-call layer, which splits it over the engine's threads (one: the kernel itself)
      await measure(() => sgemm(be, +s.tA, +s.tB, s.M, s.N, s.K, 1, pa, lda, pb, ldb, 0, pc, s.N), 2 * s.M * s.N * s.K),
    );
    a.dispose();
    b.dispose();
    c.dispose();
  }
  return res;
}

async function peer(engine: PeerName, list: Shape[]): Promise<number[]> {
  const tf = await usePeer(engine);
  const res: number[] = [];
  for (const s of list) {
    const a = tf.randomNormal(s.tA ? [s.K, s.M] : [s.M, s.K]) as import("@tensorflow/tfjs").Tensor2D;
    const b = tf.randomNormal(s.tB ? [s.N, s.K] : [s.K, s.N]) as import("@tensorflow/tfjs").Tensor2D;
    res.push(await measure(() => tf.matMul(a, b, s.tA, s.tB).dispose(), 2 * s.M * s.N * s.K));
    a.dispose();
    b.dispose();
  }
  return res;
}

const list = shapes();
const engines: Engine[] = [...OURS.map((e) => e.name as Engine), "tfjs-wasm", "tfjs-cpu"];
const m = machine();
console.log(describeMachine(m));
const rounds: Record<string, number[][]> = Object.fromEntries(engines.map((e) => [e, []]));
for (let r = 1; r <= ROUNDS; r++) {
  for (const e of engines) {
    process.stdout.write(`round ${r}/${ROUNDS}: ${e} ...`);
    rounds[e].push(e === "tfjs-wasm" || e === "tfjs-cpu" ? await peer(e, list) : await ours(e, list));
    console.log(" done");
  }
}
const results: Record<string, number[]> = Object.fromEntries(
  engines.map((e) => [e, list.map((_, i) => median(rounds[e].map((run) => run[i])))]),
);

const f = (x: number | undefined) => (x === undefined ? "-" : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(1)}x` : "-");
const rows = list.map((s, i) => [
  `${s.label} (${s.M}x${s.K} * ${s.K}x${s.N})`,
  ...engines.map((e) => f(results[e][i])),
  ratio(results["wasm-simd"]?.[i], results["tfjs-wasm"][i]),
  ratio(results["js"][i], results["tfjs-cpu"][i]),
  ratio(results["wasm-simd"]?.[i], results["js"][i]),
]);
const header = ["GEMM", ...engines, "simd / tfjs-wasm", "js / tfjs-cpu", "simd / js"];
const md = [
  `GFLOP/s (2MNK / median time; median of ${ROUNDS} rounds over all engines), ${THREADS.length > 1 ? `threads ${THREADS.join(", ")} (an engine named "x2" runs on two)` : "one thread"}. ${describeMachine(m)}.`,
  `Peers: ${peerInfo()}. Command: \`npm run bench:gemm${THREADS.length > 1 ? ` -- --threads ${THREADS.join(",")}` : ""}\`.`,
  "",
  markdownTable(header, rows),
].join("\n");
console.log("\n" + md);
save("gemm", md, { machine: m, peers: peerInfo(), engines, shapes: list, gflops: results, rounds });
