// Twin of assembly/gather.ts.
import type { Views } from "./views.js";

export function indexSelect(
  this: Views,
  src: number,
  idx: number,
  out: number,
  outer: number,
  nSrc: number,
  nIdx: number,
  inner: number,
): void {
  const f = this.f32,
    ix = this.i32;
  src >>>= 2;
  idx >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < nIdx; j++) {
      const from = src + (o * nSrc + ix[idx + j]) * inner,
        to = out + (o * nIdx + j) * inner;
      for (let i = 0; i < inner; i++) f[to + i] = f[from + i];
    }
}

export function indexAdd(this: Views, g: number, idx: number, out: number, outer: number, nSrc: number, nIdx: number, inner: number): void {
  const f = this.f32,
    ix = this.i32;
  g >>>= 2;
  idx >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < nIdx; j++) {
      const from = g + (o * nIdx + j) * inner,
        to = out + (o * nSrc + ix[idx + j]) * inner;
      for (let i = 0; i < inner; i++) f[to + i] += f[from + i];
    }
}

export function gatherDim(
  this: Views,
  src: number,
  idx: number,
  out: number,
  outer: number,
  nSrc: number,
  nIdx: number,
  inner: number,
): void {
  const f = this.f32,
    ix = this.i32;
  src >>>= 2;
  idx >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < nIdx; j++) {
      const row = (o * nIdx + j) * inner;
      for (let i = 0; i < inner; i++) f[out + row + i] = f[src + (o * nSrc + ix[idx + row + i]) * inner + i];
    }
}

export function scatterAddDim(
  this: Views,
  g: number,
  idx: number,
  out: number,
  outer: number,
  nSrc: number,
  nIdx: number,
  inner: number,
): void {
  const f = this.f32,
    ix = this.i32;
  g >>>= 2;
  idx >>>= 2;
  out >>>= 2;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < nIdx; j++) {
      const row = (o * nIdx + j) * inner;
      for (let i = 0; i < inner; i++) f[out + (o * nSrc + ix[idx + row + i]) * inner + i] += f[g + row + i];
    }
}
