// Max and average pooling over NCHW planes, each forward beside its backward.
// Planes are independent: the caller passes the number of planes (N*C).
// Output sizes are floor((H + 2p - k) / s) + 1, as PyTorch's default.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Lanes where b should replace a as the running max: b > a, or b is the first NaN. */
@inline function wins(b: v128, a: v128): v128 {
  return v128.or(f32x4.gt(b, a), v128.and(f32x4.ne(b, b), f32x4.eq(a, a)));
}

/**
 * The 2x2, stride-2, unpadded case of both reference models, four outputs at
 * a time: even and odd input columns are split by shuffles and compared lane
 * by lane, so there are no data-dependent branches (on random data those
 * mispredict half the time and cost more than the arithmetic).
 */
function maxPool2x2(x: usize, out: usize, idx: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32): void {
  const step = f32x4(0, 2, 4, 6);
  const one = f32x4.splat(1), below = f32x4.splat(<f32>W);
  for (let c = 0; c < planes; c++) {
    const plane = at(x, c * H * W);
    const o = c * OH * OW;
    for (let oy = 0; oy < OH; oy++) {
      const r0 = at(plane, 2 * oy * W), r1 = at(r0, W);
      let ox = 0;
      for (; ox + 4 <= OW; ox += 4) {
        const lo0 = v128.load(at(r0, 2 * ox)), hi0 = v128.load(at(r0, 2 * ox + 4));
        const lo1 = v128.load(at(r1, 2 * ox)), hi1 = v128.load(at(r1, 2 * ox + 4));
        const e0 = i32x4.shuffle(lo0, hi0, 0, 2, 4, 6), d0 = i32x4.shuffle(lo0, hi0, 1, 3, 5, 7);
        const e1 = i32x4.shuffle(lo1, hi1, 0, 2, 4, 6), d1 = i32x4.shuffle(lo1, hi1, 1, 3, 5, 7);
        const first: i32 = 2 * oy * W + 2 * ox;
        const i00 = f32x4.add(f32x4.splat(<f32>first), step);
        const i10 = f32x4.add(i00, below);
        const w0 = wins(d0, e0), w1 = wins(d1, e1);
        const m0 = v128.bitselect(d0, e0, w0), j0 = v128.bitselect(f32x4.add(i00, one), i00, w0);
        const m1 = v128.bitselect(d1, e1, w1), j1 = v128.bitselect(f32x4.add(i10, one), i10, w1);
        const w = wins(m1, m0);
        v128.store(at(out, o + oy * OW + ox), v128.bitselect(m1, m0, w));
        v128.store(at(idx, o + oy * OW + ox), v128.bitselect(j1, j0, w));
      }
      for (; ox < OW; ox++) {
        let best = load<f32>(at(r0, 2 * ox));
        let bi = 2 * oy * W + 2 * ox;
        for (let k = 1; k < 4; k++) {
          const p = (k >> 1) * W + 2 * ox + (k & 1);
          const v = load<f32>(at(r0, p));
          const better = v > best || (v != v && best == best);
          best = select<f32>(v, best, better);
          bi = select<i32>(2 * oy * W + p, bi, better);
        }
        store<f32>(at(out, o + oy * OW + ox), best);
        store<f32>(at(idx, o + oy * OW + ox), <f32>bi);
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
  if (ASC_FEATURE_SIMD) {
    if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0) {
      maxPool2x2(x, out, idx, planes, H, W, OH, OW);
      return;
    }
  }
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

/** dx (zero-filled by the caller) [idx] += g: the gradient goes to each window's max. */
export function maxPool2dBackward(g: usize, idx: usize, dx: usize, planes: i32, HW: i32, OHW: i32): void {
  for (let c = 0; c < planes; c++) {
    const plane = at(dx, c * HW);
    const o = c * OHW;
    for (let k = 0; k < OHW; k++) {
      const d = at(plane, <i32>load<f32>(at(idx, o + k)));
      store<f32>(d, load<f32>(d) + load<f32>(at(g, o + k)));
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
