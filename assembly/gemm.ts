// SGEMM, row-major: C = alpha * op(A) * op(B) + beta * C, where op(X) is X or
// X^T (transA / transB nonzero), op(A) is M x K, op(B) is K x N, C is M x N.
//
// Goto/BLIS structure: B is packed into KC x NR column panels (kept in L1 while
// a block of A streams past), A into MR x KC row panels (an MC x KC block kept
// in L2), and a register micro-kernel accumulates an MR x NR = 5 x 8 tile in
// ten f32x4 registers (see microKernel for why 5 and not XNNPACK's 4).
// Transposes are absorbed by the packing, so backward's A^T B and A B^T
// products run the same micro-kernel as A B.
//
// `work` is a scratch block of at least gemmWorkspaceBytes() bytes owned by
// the caller: the kernel allocates nothing.

const MR = 5;
const NR = 8;
const KC = 256;
const MC = 120; // a multiple of MR
const NC = 2048;

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Copies 4 floats (one v128 where SIMD is on). */
@inline function copy4(dst: usize, src: usize): void {
  if (ASC_FEATURE_SIMD) v128.store(dst, v128.load(src));
  else {
    store<u64>(dst, load<u64>(src));
    store<u64>(dst, load<u64>(src, 8), 8);
  }
}

/** Bytes of scratch sgemm needs: packed A block, packed B block, one edge tile. */
export function gemmWorkspaceBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

/** Ap <- op(A)[i0 .. i0+mc, p0 .. p0+kc] as MR-row panels, p-major, zero-padded to MR rows. */
function packA(transA: i32, A: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, Ap: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const panel = at(Ap, ir * kc);
    if (transA) {
      // op(A)(i, p) = A[p, i]: the MR values of one p are contiguous.
      const src = at(A, p0 * lda + i0 + ir);
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          const d = at(panel, p * MR), q = at(src, p * lda);
          copy4(d, q);
          for (let r = 4; r < MR; r++) store<f32>(at(d, r), load<f32>(at(q, r)));
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f32>(at(panel, p * MR + r), r < rows ? load<f32>(at(src, p * lda + r)) : 0);
        }
      }
    } else if (!packRowsSimd(at(A, (i0 + ir) * lda + p0), lda, rows, MR, kc, panel)) {
      for (let r = 0; r < MR; r++) {
        if (r < rows) {
          const src = at(A, (i0 + ir + r) * lda + p0);
          for (let p = 0; p < kc; p++) store<f32>(at(panel, p * MR + r), load<f32>(at(src, p)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(at(panel, p * MR + r), 0);
        }
      }
    }
  }
}

/**
 * Four rows of 4 floats (row stride `row` bytes) written as their transpose:
 * column k goes to dst + k * out bytes. Packs A's rows and B^T's columns.
 */
@inline function transpose4(dst: usize, src: usize, row: usize, out: usize): void {
  const a0 = v128.load(src), a1 = v128.load(src + row), a2 = v128.load(src + 2 * row), a3 = v128.load(src + 3 * row);
  const s0 = i32x4.shuffle(a0, a1, 0, 4, 1, 5), s1 = i32x4.shuffle(a2, a3, 0, 4, 1, 5);
  const s2 = i32x4.shuffle(a0, a1, 2, 6, 3, 7), s3 = i32x4.shuffle(a2, a3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(s0, s1, 0, 1, 4, 5));
  v128.store(dst + out, i32x4.shuffle(s0, s1, 2, 3, 6, 7));
  v128.store(dst + 2 * out, i32x4.shuffle(s2, s3, 0, 1, 4, 5));
  v128.store(dst + 3 * out, i32x4.shuffle(s2, s3, 2, 3, 6, 7));
}

/**
 * panel[p * width + r] = src[r * ld + p] for r < width, p < kc: `width` rows
 * of a row-major matrix turned into a p-major panel by 4x4 register
 * transposes (A's 5-row panels: four by transposes, the fifth copied; B^T's
 * 8-column panels). False where SIMD is off
 * or the panel is partial (rows < width): the caller's scalar loop does it.
 */
function packRowsSimd(src: usize, ld: i32, rows: i32, width: i32, kc: i32, panel: usize): bool {
  if (ASC_FEATURE_SIMD) {
    if (rows != width) return false;
    const row = <usize>ld << 2, out = <usize>width << 2;
    let p = 0;
    const full = width & ~3;
    for (; p + 4 <= kc; p += 4) {
      for (let r = 0; r < full; r += 4) transpose4(panel + (<usize>(p * width + r) << 2), at(src, r * ld + p), row, out);
      for (let r = full; r < width; r++) {
        const s = at(src, r * ld + p), d = at(panel, p * width + r);
        store<f32>(d, load<f32>(s));
        store<f32>(at(d, width), load<f32>(s, 4));
        store<f32>(at(d, 2 * width), load<f32>(s, 8));
        store<f32>(at(d, 3 * width), load<f32>(s, 12));
      }
    }
    for (; p < kc; p++) {
      for (let r = 0; r < width; r++) store<f32>(at(panel, p * width + r), load<f32>(at(src, r * ld + p)));
    }
    return true;
  }
  return false;
}

/** Bp <- op(B)[p0 .. p0+kc, j0 .. j0+nc] as NR-column panels, p-major, zero-padded to NR columns. */
function packB(transB: i32, B: usize, ldb: i32, p0: i32, kc: i32, j0: i32, nc: i32, Bp: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const panel = at(Bp, jr * kc);
    if (!transB) {
      const src = at(B, p0 * ldb + j0 + jr);
      if (cols == NR) {
        for (let p = 0; p < kc; p++) {
          const s = at(src, p * ldb), d = at(panel, p * NR);
          copy4(d, s);
          copy4(d + 16, s + 16);
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < NR; c++) store<f32>(at(panel, p * NR + c), c < cols ? load<f32>(at(src, p * ldb + c)) : 0);
        }
      }
    } else if (!packRowsSimd(at(B, (j0 + jr) * ldb + p0), ldb, cols, NR, kc, panel)) {
      // op(B)(p, j) = B[j, p]: each column is a contiguous row of B.
      for (let c = 0; c < NR; c++) {
        if (c < cols) {
          const src = at(B, (j0 + jr + c) * ldb + p0);
          for (let p = 0; p < kc; p++) store<f32>(at(panel, p * NR + c), load<f32>(at(src, p)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(at(panel, p * NR + c), 0);
        }
      }
    }
  }
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** One output row of a tile: C[0..8) = alpha * (lo, hi) + beta * C (beta == 0: C is not read). */
@inline function storeRow(c: usize, lo: v128, hi: v128, alpha: v128, beta: f32, alpha1: bool): void {
  if (beta == 0 && alpha1) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
  } else if (beta == 0) {
    v128.store(c, f32x4.mul(lo, alpha));
    v128.store(c, f32x4.mul(hi, alpha), 16);
  } else {
    const vb = f32x4.splat(beta);
    v128.store(c, madd(v128.load(c), vb, f32x4.mul(lo, alpha)));
    v128.store(c, madd(v128.load(c, 16), vb, f32x4.mul(hi, alpha)), 16);
  }
}

/**
 * The MR x NR register tile: C (ldc floats per row) = alpha * Ap * Bp + beta * C over kc.
 * Shaped for V8's TurboFan (Node 20), read off its x64 code: it schedules
 * every load of a loop iteration first and the arithmetic after, so each
 * loaded value holds a register until the end of the iteration, and it
 * spends an extra lea on every load32_splat with an offset. A 4x8 tile with
 * four splat loads fills 15 of its 15 vector registers with 8 accumulators;
 * here one v128 load brings four rows' A values and lane shuffles (pure, so
 * scheduled next to their use) broadcast them, which leaves room for a fifth
 * row: 10 accumulators, 2 B vectors, the A vector and a temporary. Measured
 * against the 4x8 in one process (bench/gemm-ab.mjs): +10-18% on the simd
 * build, +2-12% with relaxed FMA (ten independent chains also cover more of
 * the FMA latency). Unrolling K spills (all loads first), and packing A
 * pre-broadcast quadruples its traffic: both were slower.
 */
@inline function tileRows(rows: i32, kc: i32, Ap: usize, Bp: usize, C: usize, ldc: i32, alpha: f32, beta: f32): void {
  // `rows` is a constant at every call site: after inlining, the row guards
  // fold away and each caller is a straight-line kernel for its row count.
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let a = Ap, b = Bp;
  const end = Ap + <usize>(kc * MR * 4);
  while (a < end) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const a4 = v128.load(a);
    let av = i32x4.shuffle(a4, a4, 0, 0, 0, 0);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    if (rows > 1) {
      av = i32x4.shuffle(a4, a4, 1, 1, 1, 1);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
    }
    if (rows > 2) {
      av = i32x4.shuffle(a4, a4, 2, 2, 2, 2);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
    }
    if (rows > 3) {
      av = i32x4.shuffle(a4, a4, 3, 3, 3, 3);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
    }
    if (rows > 4) {
      av = v128.load32_splat(a, 16);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
    }
    a += MR * 4;
    b += NR * 4;
  }
  const va = f32x4.splat(alpha);
  const row = <usize>ldc << 2;
  const one = alpha == 1;
  storeRow(C, c00, c01, va, beta, one);
  if (rows > 1) storeRow(C + row, c10, c11, va, beta, one);
  if (rows > 2) storeRow(C + 2 * row, c20, c21, va, beta, one);
  if (rows > 3) storeRow(C + 3 * row, c30, c31, va, beta, one);
  if (rows > 4) storeRow(C + 4 * row, c40, c41, va, beta, one);
}

function microKernel(kc: i32, Ap: usize, Bp: usize, C: usize, ldc: i32, alpha: f32, beta: f32): void {
  tileRows(MR, kc, Ap, Bp, C, ldc, alpha, beta);
}

// The last row panel of a matrix whose row count is not a multiple of 5
// (LeNet-5's 6 and 16 output channels, a batch of 64) runs a kernel of its
// own size instead of the full tile on zero rows.
function microKernel4(kc: i32, Ap: usize, Bp: usize, C: usize, ldc: i32, alpha: f32, beta: f32): void {
  tileRows(4, kc, Ap, Bp, C, ldc, alpha, beta);
}
function microKernel3(kc: i32, Ap: usize, Bp: usize, C: usize, ldc: i32, alpha: f32, beta: f32): void {
  tileRows(3, kc, Ap, Bp, C, ldc, alpha, beta);
}
function microKernel2(kc: i32, Ap: usize, Bp: usize, C: usize, ldc: i32, alpha: f32, beta: f32): void {
  tileRows(2, kc, Ap, Bp, C, ldc, alpha, beta);
}
function microKernel1(kc: i32, Ap: usize, Bp: usize, C: usize, ldc: i32, alpha: f32, beta: f32): void {
  tileRows(1, kc, Ap, Bp, C, ldc, alpha, beta);
}

/** The same tile without SIMD (the scalar build): 32 accumulators would spill, so a row at a time. */
function microKernelScalar(rows: i32, kc: i32, Ap: usize, Bp: usize, C: usize, ldc: i32, alpha: f32, beta: f32): void {
  for (let r = 0; r < rows; r++) {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
    let a = Ap + (<usize>r << 2), b = Bp;
    for (let p = 0; p < kc; p++) {
      const av = load<f32>(a);
      s0 += av * load<f32>(b);
      s1 += av * load<f32>(b, 4);
      s2 += av * load<f32>(b, 8);
      s3 += av * load<f32>(b, 12);
      s4 += av * load<f32>(b, 16);
      s5 += av * load<f32>(b, 20);
      s6 += av * load<f32>(b, 24);
      s7 += av * load<f32>(b, 28);
      a += MR * 4;
      b += NR * 4;
    }
    const c = C + (<usize>(r * ldc) << 2);
    if (beta == 0) {
      store<f32>(c, alpha * s0); store<f32>(c, alpha * s1, 4); store<f32>(c, alpha * s2, 8); store<f32>(c, alpha * s3, 12);
      store<f32>(c, alpha * s4, 16); store<f32>(c, alpha * s5, 20); store<f32>(c, alpha * s6, 24); store<f32>(c, alpha * s7, 28);
    } else {
      store<f32>(c, alpha * s0 + beta * load<f32>(c)); store<f32>(c, alpha * s1 + beta * load<f32>(c, 4), 4);
      store<f32>(c, alpha * s2 + beta * load<f32>(c, 8), 8); store<f32>(c, alpha * s3 + beta * load<f32>(c, 12), 12);
      store<f32>(c, alpha * s4 + beta * load<f32>(c, 16), 16); store<f32>(c, alpha * s5 + beta * load<f32>(c, 20), 20);
      store<f32>(c, alpha * s6 + beta * load<f32>(c, 24), 24); store<f32>(c, alpha * s7 + beta * load<f32>(c, 28), 28);
    }
  }
}

/** The first `rows` rows (1 to MR) of a tile. */
@inline function tile(rows: i32, kc: i32, Ap: usize, Bp: usize, C: usize, ldc: i32, alpha: f32, beta: f32): void {
  if (ASC_FEATURE_SIMD) {
    if (rows == MR) microKernel(kc, Ap, Bp, C, ldc, alpha, beta);
    else if (rows == 4) microKernel4(kc, Ap, Bp, C, ldc, alpha, beta);
    else if (rows == 3) microKernel3(kc, Ap, Bp, C, ldc, alpha, beta);
    else if (rows == 2) microKernel2(kc, Ap, Bp, C, ldc, alpha, beta);
    else microKernel1(kc, Ap, Bp, C, ldc, alpha, beta);
  } else {
    microKernelScalar(rows, kc, Ap, Bp, C, ldc, alpha, beta);
  }
}

/** C *= beta (beta == 0 writes zeros, so NaNs in uninitialised C do not survive). */
function scaleC(M: i32, N: i32, beta: f32, C: usize, ldc: i32): void {
  for (let i = 0; i < M; i++) {
    const c = at(C, i * ldc);
    for (let j = 0; j < N; j++) store<f32>(at(c, j), beta == 0 ? 0 : beta * load<f32>(at(c, j)));
  }
}

export function sgemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  A: usize, lda: i32, B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0) {
    if (beta != 1) scaleC(M, N, beta, C, ldc);
    return;
  }
  const Ap = work;
  const Bp = at(work, MC * KC);
  const edge = at(Bp, KC * NC);
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = min(NC, N - j0);
    for (let p0 = 0; p0 < K; p0 += KC) {
      const kc = min(KC, K - p0);
      // beta applies once, on the first K block; later blocks accumulate.
      const b: f32 = p0 == 0 ? beta : 1;
      packB(transB, B, ldb, p0, kc, j0, nc, Bp);
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = min(MC, M - i0);
        packA(transA, A, lda, i0, mc, p0, kc, Ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = at(Bp, jr * kc);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = at(Ap, ir * kc);
            const c = at(C, (i0 + ir) * ldc + j0 + jr);
            if (cols == NR) {
              tile(rows, kc, ap, bp, c, ldc, alpha, b);
            } else {
              // Partial columns: compute the rows whole into scratch, write back the valid part.
              tile(rows, kc, ap, bp, edge, NR, 1, 0);
              for (let r = 0; r < rows; r++) {
                for (let q = 0; q < cols; q++) {
                  const dst = at(c, r * ldc + q);
                  const v = alpha * load<f32>(at(edge, r * NR + q));
                  store<f32>(dst, b == 0 ? v : v + b * load<f32>(dst));
                }
              }
            }
          }
        }
      }
    }
  }
}
