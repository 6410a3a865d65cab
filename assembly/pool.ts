// Max and average pooling over NCHW planes, each forward beside its backward.
// Planes are independent: the caller passes the number of planes (N*C).
// Output sizes are floor((H + 2p - k) / s) + 1, as PyTorch's default.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
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
            if (v > best || v != v) {
              best = v;
              bi = y * W + xx;
              if (v != v) break;
            }
          }
          if (best != best) break;
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
