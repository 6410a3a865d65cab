// The SGEMM kernel itself, every build and the js twin: C = alpha op(A) op(B)
// + beta C for every transpose combination and the odd sizes that exercise
// partial tiles and K/M/N blocks, against a float64 reference with a
// tolerance scaled by K.
import { beforeAll, describe, expect, it } from "vitest";
import { activeBackend } from "../src/backend/backend.js";
import { matmul, randn, tensor, manualSeed, type Tensor } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import { gradcheck, rng } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ref.js";

const SIZES = [1, 3, 17, 63, 65, 257, 784];

/** (M, N, K) triples: every size on each axis at least once, with small partners, plus large blocks. */
function shapes(): [number, number, number][] {
  const out: [number, number, number][] = [];
  const r = rng(5);
  for (const s of SIZES) {
    out.push([s, 17, 9], [9, s, 17], [17, 9, s]);
  }
  for (let i = 0; i < 6; i++) out.push([SIZES[Math.floor(r() * 5)], SIZES[Math.floor(r() * 5)], SIZES[Math.floor(r() * 7)]]);
  out.push([130, 2100, 300]); // more than one M block, N block and K block
  return out;
}

function runGemm(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, beta: number, c0: Float32Array | null) {
  manualSeed(M * 7919 + N * 31 + K);
  const a = randn(tA ? [K, M] : [M, K]);
  const b = randn(tB ? [N, K] : [K, N]);
  const c = c0 ? tensor(c0, { shape: [M, N] }) : randn([M, N]);
  const cIn = c.data();
  const be = activeBackend();
  be.k.sgemm(tA ? 1 : 0, tB ? 1 : 0, M, N, K, alpha, a._ptr, a.shape[1], b._ptr, b.shape[1], beta, c._ptr, N, be.gemmWork);
  const [A, B, C] = [a.data(), b.data(), c.data()];
  const tol = 2e-6 * (K + 10);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0,
        mag = 0;
      for (let p = 0; p < K; p++) {
        const v = (tA ? A[p * M + i] : A[i * K + p]) * (tB ? B[j * K + p] : B[p * N + j]);
        s += v;
        mag += Math.abs(v);
      }
      const old = beta === 0 ? 0 : beta * cIn[i * N + j];
      const want = alpha * s + old;
      const got = C[i * N + j];
      if (!(Math.abs(got - want) <= tol * (Math.abs(alpha) * mag + Math.abs(old) + 1))) {
        expect.fail(`C[${i},${j}] = ${got}, want ${want} (M=${M} N=${N} K=${K} tA=${tA} tB=${tB})`);
      }
    }
  }
  for (const t of [a, b, c]) t.dispose();
}

describe.each(BACKENDS)("sgemm on $name", (backend) => {
  beforeAll(() => use(backend));

  for (const [tA, tB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`op(A)=${tA ? "A^T" : "A"}, op(B)=${tB ? "B^T" : "B"}`, () => {
      for (const [M, N, K] of shapes()) runGemm(tA, tB, M, N, K, 1, 0, null);
    });
  }

  it("applies alpha and beta, and beta = 0 ignores NaN in C", () => {
    for (const [tA, tB] of [
      [false, false],
      [true, true],
    ]) {
      runGemm(tA, tB, 19, 23, 300, 0.5, -2, null);
      runGemm(tA, tB, 5, 9, 7, 1, 1, null);
      runGemm(tA, tB, 6, 10, 11, -1.5, 0, new Float32Array(60).fill(NaN));
    }
  });

  it("handles K = 0 and alpha = 0 as C = beta C", () => {
    runGemm(false, false, 3, 5, 0, 1, 0.5, null);
    runGemm(false, true, 3, 5, 4, 0, 2, null);
  });

  it("differentiates matmul through the kernel (both backward products)", () => {
    for (const [M, K, N] of [
      [9, 65, 17],
      [33, 3, 70],
    ]) {
      gradcheck({
        inputs: [{ shape: [M, K] }, { shape: [K, N] }],
        lib: ([a, b]) => matmul(a, b),
        ref: ([a, b]) => ref.matmul(a, b),
        seed: M,
      });
    }
  });

  it("matmul of a large product matches float64", () => {
    const a = randn([64, 784]),
      b = randn([784, 128]);
    const c: Tensor = a.matmul(b);
    const [A, B, C] = [a.data(), b.data(), c.data()];
    for (const [i, j] of [
      [0, 0],
      [63, 127],
      [31, 64],
      [5, 100],
    ]) {
      let s = 0;
      for (let p = 0; p < 784; p++) s += A[i * 784 + p] * B[p * 128 + j];
      expect(C[i * 128 + j]).toBeCloseTo(s, 3);
    }
  });
});
