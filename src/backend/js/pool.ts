// Twin of assembly/pool.ts. The max scan branches: V8 compiles the
// branchless form of the Wasm kernel to slower code (measured 14 vs 20 ms on
// CNN-M's first pool layer).
import type { Views } from "./views.js";

export function maxPool2d(
  this: Views,
  x: number,
  out: number,
  idx: number,
  planes: number,
  H: number,
  W: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  ph: number,
  pw: number,
  OH: number,
  OW: number,
): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  idx >>>= 2;
  for (let c = 0; c < planes; c++) {
    const plane = x + c * H * W;
    const o = c * OH * OW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - ph;
      const ya = Math.max(y0, 0),
        yb = Math.min(y0 + kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pw;
        const xa = Math.max(x0, 0),
          xb = Math.min(x0 + kw, W);
        let best = -Infinity;
        let bi = ya * W + xa;
        scan: for (let y = ya; y < yb; y++) {
          for (let xx = xa; xx < xb; xx++) {
            const v = f[plane + y * W + xx];
            if (v > best || v !== v) {
              best = v;
              bi = y * W + xx;
              if (v !== v) break scan;
            }
          }
        }
        f[out + o + oy * OW + ox] = best;
        f[idx + o + oy * OW + ox] = bi;
      }
    }
  }
}

export function maxPool2dBackward(
  this: Views,
  g: number,
  idx: number,
  dx: number,
  planes: number,
  H: number,
  W: number,
  _kh: number,
  _kw: number,
  _sh: number,
  _sw: number,
  _ph: number,
  _pw: number,
  OH: number,
  OW: number,
): void {
  const f = this.f32;
  g >>>= 2;
  idx >>>= 2;
  dx >>>= 2;
  const HW = H * W,
    OHW = OH * OW;
  f.fill(0, dx, dx + planes * HW);
  for (let c = 0; c < planes; c++) {
    const plane = dx + c * HW,
      o = c * OHW;
    for (let k = 0; k < OHW; k++) f[plane + f[idx + o + k]] += f[g + o + k];
  }
}

export function avgPool2d(
  this: Views,
  x: number,
  out: number,
  planes: number,
  H: number,
  W: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  ph: number,
  pw: number,
  OH: number,
  OW: number,
): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  const r = 1 / (kh * kw);
  for (let c = 0; c < planes; c++) {
    const plane = x + c * H * W,
      o = out + c * OH * OW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - ph;
      const ya = Math.max(y0, 0),
        yb = Math.min(y0 + kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pw;
        const xa = Math.max(x0, 0),
          xb = Math.min(x0 + kw, W);
        let s = 0;
        for (let y = ya; y < yb; y++) for (let xx = xa; xx < xb; xx++) s += f[plane + y * W + xx];
        f[o + oy * OW + ox] = s * r;
      }
    }
  }
}

export function avgPool2dBackward(
  this: Views,
  g: number,
  dx: number,
  planes: number,
  H: number,
  W: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  ph: number,
  pw: number,
  OH: number,
  OW: number,
): void {
  const f = this.f32;
  g >>>= 2;
  dx >>>= 2;
  const r = 1 / (kh * kw);
  for (let c = 0; c < planes; c++) {
    const plane = dx + c * H * W,
      o = g + c * OH * OW;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - ph;
      const ya = Math.max(y0, 0),
        yb = Math.min(y0 + kh, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - pw;
        const xa = Math.max(x0, 0),
          xb = Math.min(x0 + kw, W);
        const v = f[o + oy * OW + ox] * r;
        for (let y = ya; y < yb; y++) for (let xx = xa; xx < xb; xx++) f[plane + y * W + xx] += v;
      }
    }
  }
}
