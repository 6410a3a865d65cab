// Twin of assembly/augment.ts.
import type { Views } from "./views.js";

export function normalizeBytes(this: Views, bytes: number, out: number, n: number, scale: number, shift: number): void {
  const f = this.f32,
    u = this.u8;
  out >>>= 2;
  for (let k = 0; k < n; k++) f[out + k] = u[bytes + k] * scale + shift;
}

export function augmentWorkBytes(this: Views, H: number, W: number, radius: number): number {
  return (4 * H * W + W + 2 * radius + 4) * 4;
}

export function augmentImages(
  this: Views,
  bytes: number,
  out: number,
  params: number,
  count: number,
  H: number,
  W: number,
  scale: number,
  shift: number,
  kernel: number,
  radius: number,
  alpha: number,
  work: number,
): void {
  const P = H * W;
  const src = work,
    dx = work + 4 * P,
    dy = work + 8 * P,
    tmp = work + 12 * P,
    row = work + 16 * P;
  const f = this.f32,
    i32 = this.i32;
  for (let i = 0; i < count; i++) {
    const q = (params >>> 2) + 8 * i;
    normalizeBytes.call(this, bytes + i * P, src, P, scale, shift);
    const elastic = alpha !== 0;
    if (elastic) {
      uniformField(f, dx >>> 2, 2 * P, i32[q + 6] >>> 0);
      blurRows(f, dx >>> 2, tmp >>> 2, H, W, kernel >>> 2, radius, row >>> 2);
      blurColumns(f, tmp >>> 2, dx >>> 2, H, W, kernel >>> 2, radius, alpha);
      blurRows(f, dy >>> 2, tmp >>> 2, H, W, kernel >>> 2, radius, row >>> 2);
      blurColumns(f, tmp >>> 2, dy >>> 2, H, W, kernel >>> 2, radius, alpha);
    }
    warpBilinear.call(
      this,
      src,
      out + 4 * i * P,
      H,
      W,
      f[q],
      f[q + 1],
      f[q + 2],
      f[q + 3],
      f[q + 4],
      f[q + 5],
      elastic ? dx : 0,
      elastic ? dy : 0,
      shift,
    );
  }
}

const mix = (z: number) => {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
};

/** The twin's xoshiro128** field (float indices). */
function uniformField(f: Float32Array, out: number, n: number, seed: number): void {
  let z = seed >>> 0;
  const next = () => mix((z = (z + 0x9e3779b9) >>> 0));
  let s0 = next(),
    s1 = next(),
    s2 = next(),
    s3 = next();
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  for (let k = 0; k < n; k++) {
    const r = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    f[out + k] = ((r >>> 8) * 2) / 16777216 - 1;
  }
}

function blurRows(f: Float32Array, field: number, tmp: number, H: number, W: number, kernel: number, radius: number, row: number): void {
  const taps = 2 * radius + 1;
  f.fill(0, row, row + W + 2 * radius + 4);
  for (let y = 0; y < H; y++) {
    f.copyWithin(row + radius, field + y * W, field + y * W + W);
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let k = 0; k < taps; k++) s = Math.fround(s + Math.fround(f[row + x + k] * f[kernel + k]));
      f[tmp + y * W + x] = s;
    }
  }
}

function blurColumns(
  f: Float32Array,
  tmp: number,
  field: number,
  H: number,
  W: number,
  kernel: number,
  radius: number,
  alpha: number,
): void {
  for (let y = 0; y < H; y++) {
    const a = Math.max(y - radius, 0),
      b = Math.min(y + radius, H - 1);
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let k = a; k <= b; k++) s = Math.fround(s + Math.fround(f[tmp + k * W + x] * f[kernel + k - y + radius]));
      f[field + y * W + x] = s * alpha;
    }
  }
}

function warpBilinear(
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
