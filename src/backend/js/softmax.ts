// Twin of assembly/softmax.ts.
import type { Views } from "./views.js";

function rowMax(f: Float32Array, x: number, n: number, inner: number): number {
  let m = f[x];
  for (let k = 1; k < n; k++) m = Math.max(m, f[x + k * inner]);
  return m;
}

export function softmax(this: Views, x: number, out: number, outer: number, n: number, inner: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const src = x + base,
        dst = out + base;
      const m = rowMax(f, src, n, inner);
      let s = 0;
      for (let k = 0; k < n; k++) {
        const e = Math.exp(f[src + k * inner] - m);
        f[dst + k * inner] = e;
        s += e;
      }
      const r = 1 / s;
      for (let k = 0; k < n; k++) f[dst + k * inner] *= r;
    }
  }
}

export function softmaxBackward(this: Views, g: number, y: number, out: number, outer: number, n: number, inner: number): void {
  const f = this.f32;
  g >>>= 2;
  y >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let dot = 0;
      for (let k = 0; k < n; k++) dot += f[g + base + k * inner] * f[y + base + k * inner];
      for (let k = 0; k < n; k++) {
        const j = base + k * inner;
        f[out + j] = f[y + j] * (f[g + j] - dot);
      }
    }
  }
}

export function logSoftmax(this: Views, x: number, out: number, outer: number, n: number, inner: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const src = x + base,
        dst = out + base;
      const m = rowMax(f, src, n, inner);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(f[src + k * inner] - m);
      const lse = m + Math.log(s);
      for (let k = 0; k < n; k++) f[dst + k * inner] = f[src + k * inner] - lse;
    }
  }
}

export function logSoftmaxBackward(this: Views, g: number, y: number, out: number, outer: number, n: number, inner: number): void {
  const f = this.f32;
  g >>>= 2;
  y >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      for (let k = 0; k < n; k++) s += f[g + base + k * inner];
      for (let k = 0; k < n; k++) {
        const j = base + k * inner;
        f[out + j] = f[g + j] - Math.exp(f[y + j]) * s;
      }
    }
  }
}
