// Twin of assembly/gemm.ts: C = alpha * op(A) * op(B) + beta * C, row-major.
import type { Views } from "./views.js";

export function sgemm(
  this: Views, transA: number, transB: number, M: number, N: number, K: number, alpha: number,
  A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number,
): void {
  const f = this.f32;
  A >>>= 2; B >>>= 2; C >>>= 2;
  for (let i = 0; i < M; i++) {
    const c = C + i * ldc;
    for (let j = 0; j < N; j++) f[c + j] = beta === 0 ? 0 : beta * f[c + j];
  }
  if (M === 0 || N === 0 || K === 0 || alpha === 0) return;
  if (!transB) {
    const KB = 256;
    for (let p0 = 0; p0 < K; p0 += KB) {
      const p1 = Math.min(p0 + KB, K);
      for (let i = 0; i < M; i++) {
        const c = C + i * ldc;
        for (let p = p0; p < p1; p++) {
          const a = alpha * f[transA ? A + p * lda + i : A + i * lda + p];
          if (a === 0) continue;
          const b = B + p * ldb;
          for (let j = 0; j < N; j++) f[c + j] += a * f[b + j];
        }
      }
    }
    return;
  }
  for (let i = 0; i < M; i++) {
    const a = transA ? A + i : A + i * lda;
    const sa = transA ? lda : 1;
    const c = C + i * ldc;
    for (let j = 0; j < N; j++) {
      const b = B + j * ldb;
      let s = 0;
      for (let p = 0; p < K; p++) s += f[a + p * sa] * f[b + p];
      f[c + j] += alpha * s;
    }
  }
}
