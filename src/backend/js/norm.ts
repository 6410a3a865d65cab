// Twin of assembly/norm.ts.
import type { Views } from "./views.js";

export function batchNormStats(
  this: Views,
  x: number,
  mean: number,
  variance: number,
  channels: number,
  outer: number,
  C: number,
  inner: number,
): void {
  const f = this.f32;
  x >>>= 2;
  mean >>>= 2;
  variance >>>= 2;
  const count = outer * inner;
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let o = 0; o < outer; o++) for (let i = 0, p = x + (o * C + c) * inner; i < inner; i++) s += f[p + i];
    const m = s / count;
    let q = 0;
    for (let o = 0; o < outer; o++) for (let i = 0, p = x + (o * C + c) * inner; i < inner; i++) q += (f[p + i] - m) ** 2;
    f[mean + c] = m;
    f[variance + c] = q / count;
  }
}

export function channelAffine(
  this: Views,
  x: number,
  out: number,
  scale: number,
  shift: number,
  channels: number,
  outer: number,
  C: number,
  inner: number,
): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  scale >>>= 2;
  shift >>>= 2;
  for (let c = 0; c < channels; c++) {
    const s = f[scale + c],
      t = f[shift + c];
    for (let o = 0; o < outer; o++) {
      const k = (o * C + c) * inner;
      for (let i = 0; i < inner; i++) f[out + k + i] = f[x + k + i] * s + t;
    }
  }
}

export function channelAffine2(
  this: Views,
  g: number,
  x: number,
  out: number,
  a: number,
  b: number,
  d: number,
  channels: number,
  outer: number,
  C: number,
  inner: number,
): void {
  const f = this.f32;
  g >>>= 2;
  x >>>= 2;
  out >>>= 2;
  a >>>= 2;
  b >>>= 2;
  d >>>= 2;
  for (let c = 0; c < channels; c++) {
    const av = f[a + c],
      bv = f[b + c],
      dv = f[d + c];
    for (let o = 0; o < outer; o++) {
      const k = (o * C + c) * inner;
      for (let i = 0; i < inner; i++) f[out + k + i] = f[g + k + i] * av + f[x + k + i] * bv + dv;
    }
  }
}

export function batchNormBackwardSums(
  this: Views,
  g: number,
  x: number,
  mean: number,
  sumG: number,
  sumGX: number,
  channels: number,
  outer: number,
  C: number,
  inner: number,
): void {
  const f = this.f32;
  g >>>= 2;
  x >>>= 2;
  mean >>>= 2;
  sumG >>>= 2;
  sumGX >>>= 2;
  for (let c = 0; c < channels; c++) {
    const m = f[mean + c];
    let sg = 0,
      sgx = 0;
    for (let o = 0; o < outer; o++) {
      const k = (o * C + c) * inner;
      for (let i = 0; i < inner; i++) {
        sg += f[g + k + i];
        sgx += f[g + k + i] * (f[x + k + i] - m);
      }
    }
    f[sumG + c] = sg;
    f[sumGX + c] = sgx;
  }
}

export function layerNorm(
  this: Views,
  x: number,
  out: number,
  mean: number,
  invstd: number,
  w: number,
  b: number,
  rows: number,
  D: number,
  eps: number,
): void {
  const f = this.f32;
  const [px0, q0, m0, s0, w0, b0] = [x, out, mean, invstd, w, b].map((p) => p >>> 2);
  for (let r = 0; r < rows; r++) {
    const p = px0 + r * D,
      q = q0 + r * D;
    let s = 0;
    for (let i = 0; i < D; i++) s += f[p + i];
    const m = s / D;
    let v = 0;
    for (let i = 0; i < D; i++) v += (f[p + i] - m) ** 2;
    const is = 1 / Math.sqrt(v / D + eps);
    f[m0 + r] = m;
    f[s0 + r] = is;
    for (let i = 0; i < D; i++) {
      let y = (f[p + i] - m) * is;
      if (w !== 0) y *= f[w0 + i];
      if (b !== 0) y += f[b0 + i];
      f[q + i] = y;
    }
  }
}

export function layerNormBackward(
  this: Views,
  g: number,
  x: number,
  mean: number,
  invstd: number,
  w: number,
  dx: number,
  rows: number,
  D: number,
): void {
  const f = this.f32;
  const [g0, x0, m0, s0, w0, d0] = [g, x, mean, invstd, w, dx].map((p) => p >>> 2);
  for (let r = 0; r < rows; r++) {
    const m = f[m0 + r],
      is = f[s0 + r];
    const gw = (i: number) => (w !== 0 ? f[g0 + r * D + i] * f[w0 + i] : f[g0 + r * D + i]);
    const xh = (i: number) => (f[x0 + r * D + i] - m) * is;
    let s1 = 0,
      s2 = 0;
    for (let i = 0; i < D; i++) {
      s1 += gw(i);
      s2 += gw(i) * xh(i);
    }
    const a = s1 / D,
      c = s2 / D;
    for (let i = 0; i < D; i++) f[d0 + r * D + i] = is * (gw(i) - a - xh(i) * c);
  }
}

export function layerNormParamGrads(
  this: Views,
  g: number,
  x: number,
  mean: number,
  invstd: number,
  dw: number,
  db: number,
  rows: number,
  D: number,
): void {
  const f = this.f32;
  const [g0, x0, m0, s0, w0, b0] = [g, x, mean, invstd, dw, db].map((p) => p >>> 2);
  for (let r = 0; r < rows; r++) {
    const m = f[m0 + r],
      is = f[s0 + r];
    for (let i = 0; i < D; i++) {
      const gv = f[g0 + r * D + i];
      f[w0 + i] += gv * (f[x0 + r * D + i] - m) * is;
      if (db !== 0) f[b0 + i] += gv;
    }
  }
}
