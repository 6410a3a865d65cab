// SGEMM, row-major: C = alpha * op(A) * op(B) + beta * C, where op(X) is X or
// X^T (transA / transB nonzero), op(A) is M x K, op(B) is K x N and C is M x N.
// Backward passes call it with the transpose flags instead of materialising
// transposes. This is the simple blocked version; the packed micro-kernel
// comes with the GEMM work.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** y[0..n) += a * x[0..n) */
@inline function axpy(a: f32, x: usize, y: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a);
    for (; j + 4 <= n; j += 4) {
      const xv = v128.load(at(x, j)), yv = v128.load(at(y, j));
      let r: v128;
      if (ASC_FEATURE_RELAXED_SIMD) r = f32x4.relaxed_madd(va, xv, yv);
      else r = f32x4.add(f32x4.mul(va, xv), yv);
      v128.store(at(y, j), r);
    }
  }
  for (; j < n; j++) store<f32>(at(y, j), load<f32>(at(y, j)) + a * load<f32>(at(x, j)));
}

/** sum_p x[p * sx] * y[p], y contiguous */
@inline function dot(x: usize, sx: i32, y: usize, n: i32): f32 {
  let p = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    if (sx == 1) {
      let acc = f32x4.splat(0);
      for (; p + 4 <= n; p += 4) {
        const xv = v128.load(at(x, p)), yv = v128.load(at(y, p));
        if (ASC_FEATURE_RELAXED_SIMD) acc = f32x4.relaxed_madd(xv, yv, acc);
        else acc = f32x4.add(f32x4.mul(xv, yv), acc);
      }
      s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    }
  }
  for (; p < n; p++) s += load<f32>(at(x, p * sx)) * load<f32>(at(y, p));
  return s;
}

export function sgemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32, beta: f32, C: usize, ldc: i32,
): void {
  for (let i = 0; i < M; i++) {
    const c = at(C, i * ldc);
    for (let j = 0; j < N; j++) {
      // beta == 0 must not keep NaNs from uninitialised C.
      store<f32>(at(c, j), beta == 0 ? 0 : beta * load<f32>(at(c, j)));
    }
  }
  if (M == 0 || N == 0 || K == 0 || alpha == 0) return;
  if (!transB) {
    // C row i += alpha * A(i, p) * B row p: every inner loop runs along contiguous rows.
    const KB = 256;
    for (let p0 = 0; p0 < K; p0 += KB) {
      const p1 = min(p0 + KB, K);
      for (let i = 0; i < M; i++) {
        const c = at(C, i * ldc);
        for (let p = p0; p < p1; p++) {
          const a = alpha * load<f32>(at(A, transA ? p * lda + i : i * lda + p));
          if (a != 0) axpy(a, at(B, p * ldb), c, N);
        }
      }
    }
    return;
  }
  // op(B) = B^T: C(i, j) = dot(op(A) row i, B row j).
  for (let i = 0; i < M; i++) {
    const arow = transA ? at(A, i) : at(A, i * lda);
    const sa = transA ? lda : 1;
    const c = at(C, i * ldc);
    for (let j = 0; j < N; j++) {
      store<f32>(at(c, j), load<f32>(at(c, j)) + alpha * dot(arow, sa, at(B, j * ldb), K));
    }
  }
}
