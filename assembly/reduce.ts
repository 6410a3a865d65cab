// Reductions over one dim of a tensor viewed as [outer, n, inner], and over
// everything. Forward beside backward: sum's backward is an expand (see
// broadcast.ts), max's backward scatters into the arg-max.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Sum of n floats, in blocks of 256 added up in f64 so long sums keep their digits. */
export function sumAll(x: usize, out: usize, n: i32): void {
  let total: f64 = 0;
  for (let b = 0; b < n; b += 256) {
    const e = min(b + 256, n);
    let s: f32 = 0;
    let i = b;
    if (ASC_FEATURE_SIMD) {
      let acc = f32x4.splat(0);
      for (; i + 4 <= e; i += 4) acc = f32x4.add(acc, v128.load(at(x, i)));
      s = hsum(acc);
    }
    for (; i < e; i++) s += load<f32>(at(x, i));
    total += <f64>s;
  }
  store<f32>(out, <f32>total);
}

/** out[o, i] = sum_k x[o, k, i] */
export function sumDim(x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    const src = at(x, o * n * inner);
    const dst = at(out, o * inner);
    if (inner == 1) {
      let s: f32 = 0;
      let k = 0;
      if (ASC_FEATURE_SIMD) {
        let acc = f32x4.splat(0);
        for (; k + 4 <= n; k += 4) acc = f32x4.add(acc, v128.load(at(src, k)));
        s = hsum(acc);
      }
      for (; k < n; k++) s += load<f32>(at(src, k));
      store<f32>(dst, s);
      continue;
    }
    memory.copy(dst, src, <usize>inner << 2);
    for (let k = 1; k < n; k++) {
      const r = at(src, k * inner);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        for (; i + 4 <= inner; i += 4) v128.store(at(dst, i), f32x4.add(v128.load(at(dst, i)), v128.load(at(r, i))));
      }
      for (; i < inner; i++) store<f32>(at(dst, i), load<f32>(at(dst, i)) + load<f32>(at(r, i)));
    }
  }
}

/**
 * out[o, i] = max_k x[o, k, i] and idx[o, i] = the first k reaching it (as a
 * float); NaN wins, as in PyTorch. Either output pointer may be 0 to skip it.
 */
export function maxDim(x: usize, out: usize, idx: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = load<f32>(at(x, base));
      let bk = 0;
      for (let k = 1; k < n; k++) {
        if (best != best) break;
        const v = load<f32>(at(x, base + k * inner));
        if (v > best || v != v) {
          best = v;
          bk = k;
        }
      }
      const j = o * inner + i;
      if (out) store<f32>(at(out, j), best);
      if (idx) store<f32>(at(idx, j), <f32>bk);
    }
  }
}

/** out (zero-filled by the caller) [o, idx[o, i], i] = g[o, i] */
export function maxDimBackward(g: usize, idx: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const j = o * inner + i;
      const k = <i32>load<f32>(at(idx, j));
      store<f32>(at(out, o * n * inner + k * inner + i), load<f32>(at(g, j)));
    }
  }
}
