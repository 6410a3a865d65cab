// The f32x4 arithmetic ceiling of this machine and runtime: ten independent
// accumulators, no memory traffic, with separate multiply and add (the SIMD
// build's instructions) and with relaxed_madd (the relaxed-SIMD build's FMA).
// GEMM figures are read against these.
//
//   npm run build:ts && node bench/fp-peak.mjs
import asc from "assemblyscript/asc";
import { enableRelaxedSimd } from "../dist/node/relaxed-simd.js";

enableRelaxedSimd(); // Node 20 has relaxed SIMD behind a V8 flag

const source = `
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
export function peak(n: i32, x: f32): f32 {
  const a = f32x4.splat(x), b = f32x4.splat(0.999);
  let c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a;
  for (let i = 0; i < n; i++) {
    c0 = madd(a, b, c0); c1 = madd(a, b, c1); c2 = madd(a, b, c2); c3 = madd(a, b, c3); c4 = madd(a, b, c4);
    c5 = madd(a, b, c5); c6 = madd(a, b, c6); c7 = madd(a, b, c7); c8 = madd(a, b, c8); c9 = madd(a, b, c9);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(f32x4.add(c6, c7), f32x4.add(c8, c9))));
  return f32x4.extract_lane(s, 0);
}`;

for (const [name, enable] of [
  ["mul+add (simd)", ["simd"]],
  ["fma (relaxed-simd)", ["simd", "relaxed-simd"]],
]) {
  const { binary, stderr } = await asc.compileString(source, { optimizeLevel: 3, runtime: "stub", enable });
  if (!binary) throw new Error(stderr.toString());
  if (!WebAssembly.validate(binary)) {
    console.log(`${name}: not supported by this runtime`);
    continue;
  }
  const { instance } = await WebAssembly.instantiate(binary, {});
  const peak = instance.exports.peak;
  peak(1e6, 1); // tier up
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const n = 1e8,
      t0 = performance.now();
    peak(n, 1);
    runs.push((n * 10 * 8) / (performance.now() - t0) / 1e6);
  }
  runs.sort((p, q) => p - q);
  console.log(`${name}: median ${runs[2].toFixed(1)} GFLOP/s, best ${runs[4].toFixed(1)}`);
}
