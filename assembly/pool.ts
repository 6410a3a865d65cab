// Max and average pooling over NCHW planes, each forward beside its backward.
// Planes are independent: the caller passes the number of planes (N*C).
// Output sizes are floor((H + 2p - k) / s) + 1, as PyTorch's default.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/**
 * Lanes where b should replace a as the running max: b > a, or b is NaN and
 * a is not (the first NaN wins). Both are "not a >= b, and a is a number".
 */
@inline function wins(b: v128, a: v128): v128 {
  return v128.andnot(f32x4.eq(a, a), f32x4.ge(a, b));
}

/**
 * The 2x2, stride-2, unpadded case of both reference models, four outputs at
 * a time: even and odd input columns are split by shuffles and compared lane
 * by lane, so there are no data-dependent branches (on random data those
 * mispredict half the time and cost more than the arithmetic). A row whose
 * width is not a multiple of 4 ends with a group that overlaps the one
 * before (same values written twice) instead of a scalar tail.
 */
function maxPool2x2(x: usize, out: usize, idx: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32): void {
  if (OW < 4) {
    maxPoolGeneral(x, out, idx, planes, H, W, 2, 2, 2, 2, 0, 0, OH, OW);
    return;
  }
  const step = f32x4(0, 2, 4, 6);
  const one = f32x4.splat(1), below = f32x4.splat(<f32>W);
  for (let c = 0; c < planes; c++) {
    const plane = at(x, c * H * W);
    for (let oy = 0; oy < OH; oy++) {
      const r0 = at(plane, 2 * oy * W), r1 = at(r0, W);
      const o = at(out, (c * OH + oy) * OW), ix = at(idx, (c * OH + oy) * OW);
      for (let ox = 0; ox < OW; ) {
        const p0 = at(r0, 2 * ox), p1 = at(r1, 2 * ox);
        const lo0 = v128.load(p0), hi0 = v128.load(p0, 16);
        const lo1 = v128.load(p1), hi1 = v128.load(p1, 16);
        const e0 = i32x4.shuffle(lo0, hi0, 0, 2, 4, 6), d0 = i32x4.shuffle(lo0, hi0, 1, 3, 5, 7);
        const e1 = i32x4.shuffle(lo1, hi1, 0, 2, 4, 6), d1 = i32x4.shuffle(lo1, hi1, 1, 3, 5, 7);
        const first: i32 = 2 * oy * W + 2 * ox;
        const i00 = f32x4.add(f32x4.splat(<f32>first), step);
        const i10 = f32x4.add(i00, below);
        const w0 = wins(d0, e0), w1 = wins(d1, e1);
        const m0 = v128.bitselect(d0, e0, w0), j0 = v128.bitselect(f32x4.add(i00, one), i00, w0);
        const m1 = v128.bitselect(d1, e1, w1), j1 = v128.bitselect(f32x4.add(i10, one), i10, w1);
        const w = wins(m1, m0);
        v128.store(at(o, ox), v128.bitselect(m1, m0, w));
        v128.store(at(ix, ox), v128.bitselect(j1, j0, w));
        ox += 4;
        if (ox < OW && ox + 4 > OW) ox = OW - 4;
      }
    }
  }
}

/**
 * out = the max of each window, idx = its flat index in the input plane (as a
 * float). Padding never wins; the first maximum in row-major window order wins
 * ties, and NaN propagates, as in PyTorch.
 */
export function maxPool2d(
  x: usize, out: usize, idx: usize, planes: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, OH: i32, OW: i32,
): void {
  if (ASC_FEATURE_SIMD && kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0) {
    maxPool2x2(x, out, idx, planes, H, W, OH, OW);
  } else {
    maxPoolGeneral(x, out, idx, planes, H, W, kh, kw, sh, sw, ph, pw, OH, OW);
  }
}

function maxPoolGeneral(
  x: usize, out: usize, idx: usize, planes: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, OH: i32, OW: i32,
): void {
  for (let c = 0; c < planes; c++) {
    const plane = at(x, c * H * W);
    const o = c * OH * OW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - ph;
      const ya = max(y0, 0), yb = min(y0 + kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pw;
        const xa = max(x0, 0), xb = min(x0 + kw, W);
        let best = -Infinity as f32;
        let bi = ya * W + xa;
        for (let y = ya; y < yb; y++) {
          for (let xx = xa; xx < xb; xx++) {
            const v = load<f32>(at(plane, y * W + xx));
            // select, not if: data-dependent branches mispredict on real data
            const better = v > best || (v != v && best == best);
            best = select<f32>(v, best, better);
            bi = select<i32>(y * W + xx, bi, better);
          }
        }
        store<f32>(at(out, o + oy * OW + ox), best);
        store<f32>(at(idx, o + oy * OW + ox), <f32>bi);
      }
    }
  }
}

/**
 * dx = the gradient of maxPool2d (same geometry): g goes to each window's
 * max, every other element is 0. All of dx is written.
 */
export function maxPool2dBackward(
  g: usize, idx: usize, dx: usize, planes: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, OH: i32, OW: i32,
): void {
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && H == 2 * OH && W == 2 * OW) {
    maxPool2x2Backward(g, idx, dx, planes, OH, OW);
  } else {
    memory.fill(dx, 0, <usize>(planes * H * W) << 2);
    scatterMax(g, idx, dx, planes, H * W, OH * OW);
  }
}

/** dx [idx] += g, plane by plane. */
function scatterMax(g: usize, idx: usize, dx: usize, planes: i32, HW: i32, OHW: i32): void {
  for (let c = 0; c < planes; c++) {
    const plane = at(dx, c * HW);
    const o = c * OHW;
    for (let k = 0; k < OHW; k++) {
      const d = at(plane, <i32>load<f32>(at(idx, o + k)));
      store<f32>(d, load<f32>(d) + load<f32>(at(g, o + k)));
    }
  }
}

/**
 * The 2x2 windows tile the input exactly (H = 2 OH, W = 2 OW): each dx
 * element is written once, g where its window's max was, else 0, with no
 * zero-fill pass first.
 */
function maxPool2x2Backward(g: usize, idx: usize, dx: usize, planes: i32, OH: i32, OW: i32): void {
  const W = 2 * OW;
  for (let c = 0; c < planes; c++) {
    const plane = at(dx, c * 4 * OH * OW);
    for (let oy = 0; oy < OH; oy++) {
      const r0 = at(plane, 2 * oy * W), r1 = at(r0, W);
      const gr = at(g, (c * OH + oy) * OW), ir = at(idx, (c * OH + oy) * OW);
      let ox = 0;
      if (ASC_FEATURE_SIMD) {
        const step = f32x4(0, 2, 4, 6), one = f32x4.splat(1), below = f32x4.splat(<f32>W);
        // as in the forward, a last group that overlaps rewrites the same values
        for (; ox < OW && OW >= 4; ) {
          if (ox + 4 > OW) ox = OW - 4;
          const gv = v128.load(at(gr, ox)), j = v128.load(at(ir, ox));
          const first: i32 = 2 * oy * W + 2 * ox;
          const i00 = f32x4.add(f32x4.splat(<f32>first), step), i10 = f32x4.add(i00, below);
          const e0 = v128.and(gv, f32x4.eq(j, i00)), d0 = v128.and(gv, f32x4.eq(j, f32x4.add(i00, one)));
          const e1 = v128.and(gv, f32x4.eq(j, i10)), d1 = v128.and(gv, f32x4.eq(j, f32x4.add(i10, one)));
          const p0 = at(r0, 2 * ox), p1 = at(r1, 2 * ox);
          v128.store(p0, i32x4.shuffle(e0, d0, 0, 4, 1, 5));
          v128.store(p0, i32x4.shuffle(e0, d0, 2, 6, 3, 7), 16);
          v128.store(p1, i32x4.shuffle(e1, d1, 0, 4, 1, 5));
          v128.store(p1, i32x4.shuffle(e1, d1, 2, 6, 3, 7), 16);
          ox += 4;
        }
      }
      for (; ox < OW; ox++) {
        const gv = load<f32>(at(gr, ox));
        const j = <i32>load<f32>(at(ir, ox)) - 2 * oy * W - 2 * ox; // 0, 1, W or W + 1
        const p0 = at(r0, 2 * ox), p1 = at(r1, 2 * ox);
        store<f32>(p0, j == 0 ? gv : 0);
        store<f32>(p0, j == 1 ? gv : 0, 4);
        store<f32>(p1, j == W ? gv : 0);
        store<f32>(p1, j == W + 1 ? gv : 0, 4);
      }
    }
  }
}

/** out = window sum / (kh * kw): padding counts in the divisor (PyTorch's count_include_pad). */
export function avgPool2d(
  x: usize, out: usize, planes: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, OH: i32, OW: i32,
): void {
  const r: f32 = 1 / <f32>(kh * kw);
  for (let c = 0; c < planes; c++) {
    const plane = at(x, c * H * W);
    const o = c * OH * OW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - ph;
      const ya = max(y0, 0), yb = min(y0 + kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pw;
        const xa = max(x0, 0), xb = min(x0 + kw, W);
        let s: f32 = 0;
        for (let y = ya; y < yb; y++) for (let xx = xa; xx < xb; xx++) s += load<f32>(at(plane, y * W + xx));
        store<f32>(at(out, o + oy * OW + ox), s * r);
      }
    }
  }
}

/** dx (zero-filled by the caller) += g / (kh * kw) over each window. */
export function avgPool2dBackward(
  g: usize, dx: usize, planes: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, OH: i32, OW: i32,
): void {
  const r: f32 = 1 / <f32>(kh * kw);
  for (let c = 0; c < planes; c++) {
    const plane = at(dx, c * H * W);
    const o = c * OH * OW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - ph;
      const ya = max(y0, 0), yb = min(y0 + kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pw;
        const xa = max(x0, 0), xb = min(x0 + kw, W);
        const v = load<f32>(at(g, o + oy * OW + ox)) * r;
        for (let y = ya; y < yb; y++) {
          for (let xx = xa; xx < xb; xx++) {
            const d = at(plane, y * W + xx);
            store<f32>(d, load<f32>(d) + v);
          }
        }
      }
    }
  }
}
