// A/B test of two GEMM builds in one process, alternating rounds, so the
// drift of a shared machine (30% between runs here) hits both alike.
//
//   npm run build:ts && node bench/gemm-ab.mjs A.wasm B.wasm ['[[M,N,K,tA,tB],...]']
//
// Build a variant with the same flags as scripts/build-wasm.mjs into another
// file, then compare it with build/wasmgrad-<build>.wasm.
import { readFileSync } from "node:fs";
import { enableRelaxedSimd } from "../dist/node/relaxed-simd.js";

enableRelaxedSimd(); // Node 20 has relaxed SIMD behind a V8 flag

const [fileA, fileB, shapesArg] = process.argv.slice(2);
if (!fileA || !fileB) {
  console.error("usage: node bench/gemm-ab.mjs A.wasm B.wasm ['[[M,N,K,tA,tB],...]']");
  process.exit(2);
}
const shapes = JSON.parse(shapesArg ?? "[[512,512,512,0,0],[64,64,64,0,0],[64,128,784,0,1],[784,128,64,1,0]]");

async function load(file) {
  const memory = new WebAssembly.Memory({ initial: 2000 });
  const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { memory } });
  const k = instance.exports;
  const work = (k.heapBase() + 63) & ~63;
  const A = (work + k.gemmWorkspaceBytes() + 63) & ~63;
  const f32 = new Float32Array(memory.buffer);
  for (let i = A / 4; i < A / 4 + 3 * 1024 * 1024; i++) f32[i] = Math.random() - 0.5;
  return { k, work, A, B: A + 4 * 1024 * 1024, C: A + 8 * 1024 * 1024 };
}

const builds = [await load(fileA), await load(fileB)];
for (const [M, N, K, tA, tB] of shapes) {
  const gflops = [[], []];
  const run = (x) => x.k.sgemm(tA, tB, M, N, K, 1, x.A, tA ? M : K, x.B, tB ? K : N, 0, x.C, N, x.work);
  const reps = Math.max(3, Math.round(5e7 / (2 * M * N * K)));
  for (const x of builds) for (let i = 0; i < reps * 5; i++) run(x); // warm-up and tier-up
  for (let round = 0; round < 15; round++) {
    for (let v = 0; v < 2; v++) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) run(builds[v]);
      gflops[v].push((2 * M * N * K) / ((performance.now() - t0) / reps) / 1e6);
    }
  }
  const median = (a) => a.sort((p, q) => p - q)[a.length >> 1].toFixed(1);
  console.log(
    `${M}x${N}x${K} tA=${tA} tB=${tB}: A ${median(gflops[0])}  B ${median(gflops[1])} GFLOP/s (medians of 15 alternating rounds)`,
  );
}
