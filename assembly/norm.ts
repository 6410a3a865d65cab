// Normalisation layers' kernels: batch norm over [outer, C, inner] (the
// statistics of each channel c over outer and inner) and layer norm over
// rows of D values. Each contiguous row is summed in f32x4 lanes, and the
// rows' sums are added in f64: a channel of a batch holds tens of thousands
// of values. Batch-norm kernels take a run of `channels` (pointers at its
// first channel), so threads can split the channels.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

@inline function lanes(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** sum of p[0..n). */
function rowSum(p: usize, n: i32): f64 {
  let s: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, v128.load(at(p, i)));
    s = lanes(acc);
  }
  for (; i < n; i++) s += <f64>load<f32>(at(p, i));
  return s;
}

/** sum of (p[i] - m)^2 over [0, n). */
function rowSquares(p: usize, n: i32, m: f32): f64 {
  let s: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m);
    let acc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const d = f32x4.sub(v128.load(at(p, i)), vm);
      acc = f32x4.add(acc, f32x4.mul(d, d));
    }
    s = lanes(acc);
  }
  for (; i < n; i++) {
    const d = load<f32>(at(p, i)) - m;
    s += <f64>(d * d);
  }
  return s;
}

/** sum of g[i] (x[i] - m) over [0, n). */
function rowDot(g: usize, x: usize, n: i32, m: f32): f64 {
  let s: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m);
    let acc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(at(g, i)), f32x4.sub(v128.load(at(x, i)), vm)));
    s = lanes(acc);
  }
  for (; i < n; i++) s += <f64>(load<f32>(at(g, i)) * (load<f32>(at(x, i)) - m));
  return s;
}

/** mean[c] and the biased variance var[c] of each channel. */
export function batchNormStats(x: usize, mean: usize, variance: usize, channels: i32, outer: i32, C: i32, inner: i32): void {
  const count = <f64>outer * <f64>inner;
  for (let c = 0; c < channels; c++) {
    let s: f64 = 0;
    for (let o = 0; o < outer; o++) s += rowSum(at(x, (o * C + c) * inner), inner);
    const m = <f32>(s / count);
    let q: f64 = 0;
    for (let o = 0; o < outer; o++) q += rowSquares(at(x, (o * C + c) * inner), inner, m);
    store<f32>(at(mean, c), m);
    store<f32>(at(variance, c), <f32>(q / count));
  }
}

/** out = x * scale[c] + shift[c]: batch norm's forward once the statistics are folded into scale and shift. */
export function channelAffine(x: usize, out: usize, scale: usize, shift: usize, channels: i32, outer: i32, C: i32, inner: i32): void {
  for (let c = 0; c < channels; c++) {
    const s = load<f32>(at(scale, c)), t = load<f32>(at(shift, c));
    for (let o = 0; o < outer; o++) {
      const k = (o * C + c) * inner;
      const p = at(x, k), q = at(out, k);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        const vs = f32x4.splat(s), vt = f32x4.splat(t);
        for (; i + 4 <= inner; i += 4) v128.store(at(q, i), f32x4.add(f32x4.mul(v128.load(at(p, i)), vs), vt));
      }
      for (; i < inner; i++) store<f32>(at(q, i), load<f32>(at(p, i)) * s + t);
    }
  }
}

/** out = g * a[c] + x * b[c] + d[c]: batch norm's input gradient with the channel sums folded in. */
export function channelAffine2(
  g: usize, x: usize, out: usize, a: usize, b: usize, d: usize, channels: i32, outer: i32, C: i32, inner: i32,
): void {
  for (let c = 0; c < channels; c++) {
    const av = load<f32>(at(a, c)), bv = load<f32>(at(b, c)), dv = load<f32>(at(d, c));
    for (let o = 0; o < outer; o++) {
      const k = (o * C + c) * inner;
      const pg = at(g, k), px = at(x, k), q = at(out, k);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        const va = f32x4.splat(av), vb = f32x4.splat(bv), vd = f32x4.splat(dv);
        for (; i + 4 <= inner; i += 4) {
          v128.store(at(q, i), f32x4.add(f32x4.add(f32x4.mul(v128.load(at(pg, i)), va), f32x4.mul(v128.load(at(px, i)), vb)), vd));
        }
      }
      for (; i < inner; i++) store<f32>(at(q, i), load<f32>(at(pg, i)) * av + load<f32>(at(px, i)) * bv + dv);
    }
  }
}

/** sumG[c] = sum of g, sumGX[c] = sum of g (x - mean[c]) over each channel (f64 sums, stored as f32). */
export function batchNormBackwardSums(
  g: usize, x: usize, mean: usize, sumG: usize, sumGX: usize, channels: i32, outer: i32, C: i32, inner: i32,
): void {
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(at(mean, c));
    let sg: f64 = 0, sgx: f64 = 0;
    for (let o = 0; o < outer; o++) {
      const k = (o * C + c) * inner;
      sg += rowSum(at(g, k), inner);
      sgx += rowDot(at(g, k), at(x, k), inner, m);
    }
    store<f32>(at(sumG, c), <f32>sg);
    store<f32>(at(sumGX, c), <f32>sgx);
  }
}

/**
 * Layer norm of each row of D values: out = (x - mean) invstd w + b, with
 * each row's mean and invstd = 1 / sqrt(var + eps) kept for backward. w and b
 * (D values each) may be 0: no elementwise affine.
 */
export function layerNorm(x: usize, out: usize, mean: usize, invstd: usize, w: usize, b: usize, rows: i32, D: i32, eps: f32): void {
  for (let r = 0; r < rows; r++) {
    const p = at(x, r * D), q = at(out, r * D);
    const m = <f32>(rowSum(p, D) / <f64>D);
    const is = <f32>(1 / Math.sqrt(rowSquares(p, D, m) / <f64>D + <f64>eps));
    store<f32>(at(mean, r), m);
    store<f32>(at(invstd, r), is);
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const vm = f32x4.splat(m), vs = f32x4.splat(is);
      for (; i + 4 <= D; i += 4) {
        let y = f32x4.mul(f32x4.sub(v128.load(at(p, i)), vm), vs);
        if (w != 0) y = f32x4.mul(y, v128.load(at(w, i)));
        if (b != 0) y = f32x4.add(y, v128.load(at(b, i)));
        v128.store(at(q, i), y);
      }
    }
    for (; i < D; i++) {
      let y: f32 = (load<f32>(at(p, i)) - m) * is;
      if (w != 0) y *= load<f32>(at(w, i));
      if (b != 0) y += load<f32>(at(b, i));
      store<f32>(at(q, i), y);
    }
  }
}

/** dx of layer norm: invstd (gw - mean(gw) - xhat mean(gw xhat)) with gw = g w (g where w is 0). */
export function layerNormBackward(g: usize, x: usize, mean: usize, invstd: usize, w: usize, dx: usize, rows: i32, D: i32): void {
  for (let r = 0; r < rows; r++) {
    const pg = at(g, r * D), px = at(x, r * D), q = at(dx, r * D);
    const m = load<f32>(at(mean, r)), is = load<f32>(at(invstd, r));
    let s1: f64 = 0, s2: f64 = 0;
    for (let i = 0; i < D; i++) {
      const gw: f32 = w != 0 ? load<f32>(at(pg, i)) * load<f32>(at(w, i)) : load<f32>(at(pg, i));
      s1 += <f64>gw;
      s2 += <f64>gw * <f64>((load<f32>(at(px, i)) - m) * is);
    }
    const a = <f32>(s1 / <f64>D), c = <f32>(s2 / <f64>D);
    for (let i = 0; i < D; i++) {
      const gw: f32 = w != 0 ? load<f32>(at(pg, i)) * load<f32>(at(w, i)) : load<f32>(at(pg, i));
      const xh: f32 = (load<f32>(at(px, i)) - m) * is;
      store<f32>(at(q, i), is * (gw - a - xh * c));
    }
  }
}

/** dw += sum over rows of g xhat, db += sum of g (db may be 0): zero-filled by the caller. */
export function layerNormParamGrads(g: usize, x: usize, mean: usize, invstd: usize, dw: usize, db: usize, rows: i32, D: i32): void {
  for (let r = 0; r < rows; r++) {
    const pg = at(g, r * D), px = at(x, r * D);
    const m = load<f32>(at(mean, r)), is = load<f32>(at(invstd, r));
    for (let i = 0; i < D; i++) {
      const gv = load<f32>(at(pg, i));
      store<f32>(at(dw, i), load<f32>(at(dw, i)) + gv * (load<f32>(at(px, i)) - m) * is);
      if (db != 0) store<f32>(at(db, i), load<f32>(at(db, i)) + gv);
    }
  }
}
