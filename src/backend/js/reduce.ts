// Twin of assembly/reduce.ts.
import type { Views } from "./views.js";

export function sumAll(this: Views, x: number, out: number, n: number): void {
  const f = this.f32;
  x >>>= 2;
  let total = 0;
  for (let b = 0; b < n; b += 256) {
    const e = Math.min(b + 256, n);
    let s = 0;
    for (let i = b; i < e; i++) s += f[x + i];
    total += s;
  }
  f[out >>> 2] = total;
}

export function sumDim(this: Views, x: number, out: number, outer: number, n: number, inner: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++) {
    const src = x + o * n * inner,
      dst = out + o * inner;
    if (inner === 1) {
      let s = 0;
      for (let k = 0; k < n; k++) s += f[src + k];
      f[dst] = s;
      continue;
    }
    f.copyWithin(dst, src, src + inner);
    for (let k = 1; k < n; k++) {
      const r = src + k * inner;
      for (let i = 0; i < inner; i++) f[dst + i] += f[r + i];
    }
  }
}

export function maxDim(this: Views, x: number, out: number, idx: number, outer: number, n: number, inner: number): void {
  const f = this.f32;
  x >>>= 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = x + o * n * inner + i;
      let best = f[base];
      let bk = 0;
      for (let k = 1; k < n; k++) {
        if (best !== best) break;
        const v = f[base + k * inner];
        if (v > best || v !== v) {
          best = v;
          bk = k;
        }
      }
      const j = o * inner + i;
      if (out) f[(out >>> 2) + j] = best;
      if (idx) f[(idx >>> 2) + j] = bk;
    }
  }
}

export function maxDimBackward(this: Views, g: number, idx: number, out: number, outer: number, n: number, inner: number): void {
  const f = this.f32;
  g >>>= 2;
  idx >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const j = o * inner + i;
      f[out + o * n * inner + f[idx + j] * inner + i] = f[g + j];
    }
  }
}
