// Softmax and log-softmax over one dim of a tensor viewed as [outer, n, inner],
// max-shifted so exp never overflows; each with its backward.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

@inline function rowMax(x: usize, n: i32, inner: i32): f32 {
  let m = load<f32>(x);
  for (let k = 1; k < n; k++) m = max(m, load<f32>(at(x, k * inner)));
  return m;
}

export function softmax(x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const src = at(x, base), dst = at(out, base);
      const m = rowMax(src, n, inner);
      let s: f32 = 0;
      for (let k = 0; k < n; k++) {
        const e = Mathf.exp(load<f32>(at(src, k * inner)) - m);
        store<f32>(at(dst, k * inner), e);
        s += e;
      }
      const r: f32 = 1 / s;
      for (let k = 0; k < n; k++) store<f32>(at(dst, k * inner), load<f32>(at(dst, k * inner)) * r);
    }
  }
}

/** dx = y * (g - sum_k g*y) */
export function softmaxBackward(g: usize, y: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let dot: f32 = 0;
      for (let k = 0; k < n; k++) dot += load<f32>(at(g, base + k * inner)) * load<f32>(at(y, base + k * inner));
      for (let k = 0; k < n; k++) {
        const j = base + k * inner;
        store<f32>(at(out, j), load<f32>(at(y, j)) * (load<f32>(at(g, j)) - dot));
      }
    }
  }
}

export function logSoftmax(x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const src = at(x, base), dst = at(out, base);
      const m = rowMax(src, n, inner);
      let s: f32 = 0;
      for (let k = 0; k < n; k++) s += Mathf.exp(load<f32>(at(src, k * inner)) - m);
      const lse = m + Mathf.log(s);
      for (let k = 0; k < n; k++) store<f32>(at(dst, k * inner), load<f32>(at(src, k * inner)) - lse);
    }
  }
}

/** dx = g - exp(y) * sum_k g */
export function logSoftmaxBackward(g: usize, y: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s: f32 = 0;
      for (let k = 0; k < n; k++) s += load<f32>(at(g, base + k * inner));
      for (let k = 0; k < n; k++) {
        const j = base + k * inner;
        store<f32>(at(out, j), load<f32>(at(g, j)) - Mathf.exp(load<f32>(at(y, j))) * s);
      }
    }
  }
}
