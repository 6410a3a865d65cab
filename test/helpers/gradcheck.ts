// Gradient checks: the library's float32 forward and backward against a
// float64 reference and central finite differences computed on it.
import { expect } from "vitest";
import { memory, tensor, tidy, type Tensor } from "../../src/index.js";
import type { Arr } from "./ref.js";

/** A small seeded generator for test data (independent of the library's). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface InputSpec {
  shape: number[];
  /** Values are drawn uniformly from [lo, hi] (default [-2, 2]). */
  lo?: number;
  hi?: number;
}

export interface GradcheckCase {
  inputs: InputSpec[];
  lib: (xs: Tensor[]) => Tensor;
  ref: (xs: Arr[]) => Arr;
  seed?: number;
  rtol?: number;
  atol?: number;
}

/** |actual - expected| <= atol * scale + rtol * |expected|, elementwise, with a readable failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= atol * scale + rtol * Math.abs(expected[i]))) {
      expect.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (error ${err.toExponential(2)})`);
    }
  }
}

export function gradcheck(c: GradcheckCase): void {
  const rand = rng(c.seed ?? 1);
  const rtol = c.rtol ?? 2e-3,
    atol = c.atol ?? 2e-4;
  const before = memory();
  // Inputs are float32 values, so library and reference see the same numbers.
  const xs: Arr[] = c.inputs.map(({ shape, lo = -2, hi = 2 }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { shape, data: Float64Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rand())) };
  });
  const ts = xs.map((x) => tensor(Float32Array.from(x.data), { shape: x.shape, requiresGrad: true }));
  const out = tidy(() => c.lib(ts)); // intermediates are freed; the graph stays
  const expected = c.ref(xs);
  expect(out.shape, "forward shape").toEqual(expected.shape);
  expectClose(out.data(), expected.data, rtol, atol, "forward");

  const R = Float64Array.from({ length: expected.data.length }, () => Math.fround(rand() * 2 - 1));
  const upstream = tensor(Float32Array.from(R), { shape: out.shape });
  out.backward(upstream);
  const loss = (args: Arr[]) => c.ref(args).data.reduce((s, v, i) => s + v * R[i], 0);

  xs.forEach((x, i) => {
    const numeric = new Float64Array(x.data.length);
    for (let j = 0; j < x.data.length; j++) {
      const v = x.data[j];
      const h = 1e-6 * Math.max(1, Math.abs(v));
      x.data[j] = v + h;
      const up = loss(xs);
      x.data[j] = v - h;
      const down = loss(xs);
      x.data[j] = v;
      numeric[j] = (up - down) / (2 * h);
    }
    const g = ts[i].grad;
    expect(g, `input ${i} has a gradient`).not.toBeNull();
    expect(g!.shape, `grad ${i} shape`).toEqual(x.shape);
    expectClose(g!.data(), numeric, rtol, atol, `grad of input ${i} ${JSON.stringify(x.shape)}`);
  });

  for (const t of [...ts, out, upstream]) t.dispose();
  // Every op's backward must free what it saved (tensors and blocks) and every temporary it made.
  const after = memory();
  expect(after.tensors, "live tensors after dispose").toBe(before.tensors);
  expect(after.bytes, "live bytes after dispose").toBe(before.bytes);
}
