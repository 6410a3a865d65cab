// Twin of assembly/gemm.ts: the same Goto/BLIS blocking and packing in plain
// TypeScript, with a register tile of scalar locals. The tile is 2x4, not
// 4x8: JS computes in float64 scalars, and 8 accumulators plus operands are
// what x86's 16 registers hold without spilling (4x4 and 2x8 measured slower
// or no faster).
import type { Views } from "./views.js";

const MR = 2;
const NR = 4;
const KC = 256;
const MC = 128;
const NC = 2048;

export function gemmWorkspaceBytes(): number {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

function packA(f: Float32Array, transA: number, A: number, lda: number, i0: number, mc: number, p0: number, kc: number, Ap: number): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    const panel = Ap + ir * kc;
    for (let r = 0; r < MR; r++) {
      if (r >= rows) {
        for (let p = 0; p < kc; p++) f[panel + p * MR + r] = 0;
      } else if (transA) {
        const src = A + p0 * lda + i0 + ir + r;
        for (let p = 0; p < kc; p++) f[panel + p * MR + r] = f[src + p * lda];
      } else {
        const src = A + (i0 + ir + r) * lda + p0;
        for (let p = 0; p < kc; p++) f[panel + p * MR + r] = f[src + p];
      }
    }
  }
}

function packB(f: Float32Array, transB: number, B: number, ldb: number, p0: number, kc: number, j0: number, nc: number, Bp: number): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    const panel = Bp + jr * kc;
    for (let c = 0; c < NR; c++) {
      if (c >= cols) {
        for (let p = 0; p < kc; p++) f[panel + p * NR + c] = 0;
      } else if (transB) {
        const src = B + (j0 + jr + c) * ldb + p0;
        for (let p = 0; p < kc; p++) f[panel + p * NR + c] = f[src + p];
      } else {
        const src = B + p0 * ldb + j0 + jr + c;
        for (let p = 0; p < kc; p++) f[panel + p * NR + c] = f[src + p * ldb];
      }
    }
  }
}

/** The MR x NR tile into `out` (row stride ldo): out = alpha * Ap Bp + beta * out, for rows x cols of it. */
function microKernel(
  f: Float32Array,
  kc: number,
  a: number,
  b: number,
  out: number,
  ldo: number,
  alpha: number,
  beta: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  for (let p = 0; p < kc; p++, a += MR, b += NR) {
    const b0 = f[b],
      b1 = f[b + 1],
      b2 = f[b + 2],
      b3 = f[b + 3];
    const x = f[a],
      y = f[a + 1];
    c00 += x * b0;
    c01 += x * b1;
    c02 += x * b2;
    c03 += x * b3;
    c10 += y * b0;
    c11 += y * b1;
    c12 += y * b2;
    c13 += y * b3;
  }
  if (rows === MR && cols === NR) {
    const o = out,
      q = out + ldo;
    if (beta === 0) {
      f[o] = alpha * c00;
      f[o + 1] = alpha * c01;
      f[o + 2] = alpha * c02;
      f[o + 3] = alpha * c03;
      f[q] = alpha * c10;
      f[q + 1] = alpha * c11;
      f[q + 2] = alpha * c12;
      f[q + 3] = alpha * c13;
    } else {
      f[o] = alpha * c00 + beta * f[o];
      f[o + 1] = alpha * c01 + beta * f[o + 1];
      f[o + 2] = alpha * c02 + beta * f[o + 2];
      f[o + 3] = alpha * c03 + beta * f[o + 3];
      f[q] = alpha * c10 + beta * f[q];
      f[q + 1] = alpha * c11 + beta * f[q + 1];
      f[q + 2] = alpha * c12 + beta * f[q + 2];
      f[q + 3] = alpha * c13 + beta * f[q + 3];
    }
    return;
  }
  const tile = [c00, c01, c02, c03, c10, c11, c12, c13];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = out + r * ldo + c;
      const v = alpha * tile[r * NR + c];
      f[d] = beta === 0 ? v : v + beta * f[d];
    }
  }
}

export function sgemm(
  this: Views,
  transA: number,
  transB: number,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: number,
  lda: number,
  B: number,
  ldb: number,
  beta: number,
  C: number,
  ldc: number,
  work: number,
): void {
  const f = this.f32;
  A >>>= 2;
  B >>>= 2;
  C >>>= 2;
  work >>>= 2;
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha === 0) {
    if (beta !== 1) {
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) f[C + i * ldc + j] = beta === 0 ? 0 : beta * f[C + i * ldc + j];
    }
    return;
  }
  const Ap = work,
    Bp = work + MC * KC;
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = Math.min(NC, N - j0);
    for (let p0 = 0; p0 < K; p0 += KC) {
      const kc = Math.min(KC, K - p0);
      const b = p0 === 0 ? beta : 1;
      packB(f, transB, B, ldb, p0, kc, j0, nc, Bp);
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = Math.min(MC, M - i0);
        packA(f, transA, A, lda, i0, mc, p0, kc, Ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            microKernel(f, kc, Ap + ir * kc, Bp + jr * kc, C + (i0 + ir) * ldc + j0 + jr, ldc, alpha, b, rows, cols);
          }
        }
      }
    }
  }
}
