// Twin of assembly/conv.ts.
import type { Views } from "./views.js";

/** Output columns [ox0, ox1) whose tap at offset dj lands inside a row of width W. */
function span(OW: number, sw: number, dj: number, W: number): [number, number] {
  let ox0 = 0;
  while (ox0 < OW && ox0 * sw + dj < 0) ox0++;
  let ox1 = OW;
  while (ox1 > ox0 && (ox1 - 1) * sw + dj >= W) ox1--;
  return [ox0, ox1];
}

export function im2col(
  this: Views,
  x: number,
  col: number,
  ld: number,
  C: number,
  H: number,
  W: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  ph: number,
  pw: number,
  dh: number,
  dw: number,
  OH: number,
  OW: number,
): void {
  const f = this.f32;
  x >>>= 2;
  col >>>= 2;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const plane = x + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const dst = col + row * ld;
        const dj = j * dw - pw;
        const [ox0, ox1] = span(OW, sw, dj, W);
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * sh + i * dh - ph;
          const d = dst + oy * OW;
          if (iy < 0 || iy >= H) {
            f.fill(0, d, d + OW);
            continue;
          }
          const srow = plane + iy * W + dj;
          for (let ox = 0; ox < ox0; ox++) f[d + ox] = 0;
          for (let ox = ox0; ox < ox1; ox++) f[d + ox] = f[srow + ox * sw];
          for (let ox = ox1; ox < OW; ox++) f[d + ox] = 0;
        }
        row++;
      }
    }
  }
}

export function col2im(
  this: Views,
  col: number,
  ld: number,
  dx: number,
  C: number,
  H: number,
  W: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  ph: number,
  pw: number,
  dh: number,
  dw: number,
  OH: number,
  OW: number,
): void {
  const f = this.f32;
  col >>>= 2;
  dx >>>= 2;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const plane = dx + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const src = col + row * ld;
        const dj = j * dw - pw;
        const [ox0, ox1] = span(OW, sw, dj, W);
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * sh + i * dh - ph;
          if (iy < 0 || iy >= H) continue;
          const drow = plane + iy * W + dj;
          const s = src + oy * OW;
          for (let ox = ox0; ox < ox1; ox++) f[drow + ox * sw] += f[s + ox];
        }
        row++;
      }
    }
  }
}
