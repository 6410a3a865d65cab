// Twin of assembly/augment.ts.
import type { Views } from "./views.js";

export function normalizeBytes(this: Views, bytes: number, out: number, n: number, scale: number, shift: number): void {
  const f = this.f32,
    u = this.u8;
  out >>>= 2;
  for (let k = 0; k < n; k++) f[out + k] = u[bytes + k] * scale + shift;
}

export function gaussianBlur(this: Views, field: number, tmp: number, H: number, W: number, kernel: number, radius: number): void {
  const f = this.f32;
  field >>>= 2;
  tmp >>>= 2;
  kernel >>>= 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      const a = Math.max(x - radius, 0),
        b = Math.min(x + radius, W - 1);
      for (let k = a; k <= b; k++) s += f[field + y * W + k] * f[kernel + k - x + radius];
      f[tmp + y * W + x] = s;
    }
  }
  for (let y = 0; y < H; y++) {
    const a = Math.max(y - radius, 0),
      b = Math.min(y + radius, H - 1);
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let k = a; k <= b; k++) s += f[tmp + k * W + x] * f[kernel + k - y + radius];
      f[field + y * W + x] = s;
    }
  }
}

export function warpBilinear(
  this: Views,
  src: number,
  dst: number,
  H: number,
  W: number,
  m00: number,
  m01: number,
  m02: number,
  m10: number,
  m11: number,
  m12: number,
  dx: number,
  dy: number,
  fill: number,
): void {
  const f = this.f32;
  src >>>= 2;
  dst >>>= 2;
  const dxi = dx >>> 2,
    dyi = dy >>> 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const j = y * W + x;
      let sx = m00 * x + m01 * y + m02,
        sy = m10 * x + m11 * y + m12;
      if (dx) {
        sx += f[dxi + j];
        sy += f[dyi + j];
      }
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const fx = sx - x0,
        fy = sy - y0;
      let v = 0;
      for (let q = 0; q < 4; q++) {
        const xx = x0 + (q & 1),
          yy = y0 + (q >> 1);
        const w = (q & 1 ? fx : 1 - fx) * (q >> 1 ? fy : 1 - fy);
        v += w * (xx >= 0 && xx < W && yy >= 0 && yy < H ? f[src + yy * W + xx] : fill);
      }
      f[dst + j] = v;
    }
  }
}
