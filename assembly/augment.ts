// Data loading and augmentation kernels: uint8 pixels normalised to floats,
// and a batch of images augmented at once (random displacement fields drawn
// and Gaussian-smoothed in SIMD, bilinear warping through an affine map:
// shifts, rotations, scaling, shear, elastic distortions).

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** out[k] = bytes[k] * scale + shift: uint8 pixels to normalised floats. */
export function normalizeBytes(bytes: usize, out: usize, n: i32, scale: f32, shift: f32): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(scale), vt = f32x4.splat(shift);
    for (; k + 4 <= n; k += 4) {
      const w = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(bytes + <usize>k)));
      v128.store(at(out, k), f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(w), vs), vt));
    }
  }
  for (; k < n; k++) store<f32>(at(out, k), <f32>load<u8>(bytes + <usize>k) * scale + shift);
}

/** Bytes of scratch augmentImages needs per thread for H x W images with a blur of this radius. */
export function augmentWorkBytes(H: i32, W: i32, radius: i32): i32 {
  return (4 * H * W + W + 2 * radius + 4) * 4;
}

/**
 * Augments `count` images, each on its own: image i's uint8 pixels (bytes +
 * i H W) are normalised (scale, shift) and warped into out + i H W floats by
 * the affine map in params[8 i .. 8 i + 5] (f32: m00 m01 m02 m10 m11 m12) plus,
 * when alpha is not 0, an elastic displacement (Simard et al. 2003): two
 * fields of uniform values in [-1, 1] drawn from the image's own seed (the
 * u32 at params[8 i + 6]), smoothed by the (2 radius + 1)-tap kernel and
 * scaled by alpha. The seed makes an image's field the same whichever thread
 * draws it. `work`: augmentWorkBytes() of the calling thread's scratch.
 */
export function augmentImages(
  bytes: usize, out: usize, params: usize, count: i32, H: i32, W: i32,
  scale: f32, shift: f32, kernel: usize, radius: i32, alpha: f32, work: usize,
): void {
  const P = H * W;
  const src = work, dx = at(work, P), dy = at(work, 2 * P), tmp = at(work, 3 * P), row = at(work, 4 * P);
  for (let i = 0; i < count; i++) {
    const q = params + (<usize>i << 5);
    normalizeBytes(bytes + <usize>(i * P), src, P, scale, shift);
    const elastic = alpha != 0;
    if (elastic) {
      uniformField(dx, 2 * P, load<u32>(q, 24));
      blurRows(dx, tmp, H, W, kernel, radius, row);
      blurColumns(tmp, dx, H, W, kernel, radius, alpha);
      blurRows(dy, tmp, H, W, kernel, radius, row);
      blurColumns(tmp, dy, H, W, kernel, radius, alpha);
    }
    warpBilinear(
      src, at(out, i * P), H, W,
      load<f32>(q), load<f32>(q, 4), load<f32>(q, 8), load<f32>(q, 12), load<f32>(q, 16), load<f32>(q, 20),
      elastic ? dx : 0, elastic ? dy : 0, shift,
    );
  }
}

/**
 * n values 2 u - 1, u uniform in [0, 1) with 24 bits, from xoshiro128** seeded
 * through splitmix32 by `seed` (the library's generator, in src/random.ts).
 */
function uniformField(out: usize, n: i32, seed: u32): void {
  let z = seed;
  z += 0x9e3779b9; let s0 = mix(z);
  z += 0x9e3779b9; let s1 = mix(z);
  z += 0x9e3779b9; let s2 = mix(z);
  z += 0x9e3779b9; let s3 = mix(z);
  for (let k = 0; k < n; k++) {
    const r = rotl<u32>(s1 * 5, 7) * 9;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    store<f32>(at(out, k), <f32>(r >>> 8) * (2.0 / 16777216.0) - 1);
  }
}

@inline function mix(z: u32): u32 {
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

/**
 * tmp = each row of the H x W field convolved with the (2 radius + 1)-tap
 * kernel, values outside the row 0: the row is copied into `row` between
 * zeros, so every output sums all taps in order, four outputs per vector.
 */
function blurRows(field: usize, tmp: usize, H: i32, W: i32, kernel: usize, radius: i32, row: usize): void {
  const taps = 2 * radius + 1;
  memory.fill(row, 0, <usize>(W + 2 * radius + 4) << 2);
  for (let y = 0; y < H; y++) {
    memory.copy(at(row, radius), at(field, y * W), <usize>W << 2);
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      for (; x + 4 <= W; x += 4) {
        let s = f32x4.splat(0);
        for (let k = 0; k < taps; k++) s = f32x4.add(s, f32x4.mul(v128.load(at(row, x + k)), v128.load32_splat(at(kernel, k))));
        v128.store(at(tmp, y * W + x), s);
      }
    }
    for (; x < W; x++) {
      let s: f32 = 0;
      for (let k = 0; k < taps; k++) s += load<f32>(at(row, x + k)) * load<f32>(at(kernel, k));
      store<f32>(at(tmp, y * W + x), s);
    }
  }
}

/** field = alpha times each column of tmp convolved with the kernel (rows outside count as 0), four columns per vector. */
function blurColumns(tmp: usize, field: usize, H: i32, W: i32, kernel: usize, radius: i32, alpha: f32): void {
  for (let y = 0; y < H; y++) {
    const a = max(y - radius, 0), b = min(y + radius, H - 1);
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const va = f32x4.splat(alpha);
      for (; x + 4 <= W; x += 4) {
        let s = f32x4.splat(0);
        for (let k = a; k <= b; k++) s = f32x4.add(s, f32x4.mul(v128.load(at(tmp, k * W + x)), v128.load32_splat(at(kernel, k - y + radius))));
        v128.store(at(field, y * W + x), f32x4.mul(s, va));
      }
    }
    for (; x < W; x++) {
      let s: f32 = 0;
      for (let k = a; k <= b; k++) s += load<f32>(at(tmp, k * W + x)) * load<f32>(at(kernel, k - y + radius));
      store<f32>(at(field, y * W + x), s * alpha);
    }
  }
}

/**
 * dst(y, x) = src at (m00 x + m01 y + m02 + dx(y, x), m10 x + m11 y + m12 + dy(y, x)),
 * bilinear, `fill` outside the image; dx and dy may be 0 (no displacement field).
 */
function warpBilinear(  src: usize, dst: usize, H: i32, W: i32,
  m00: f32, m01: f32, m02: f32, m10: f32, m11: f32, m12: f32, dx: usize, dy: usize, fill: f32,
): void {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const j = y * W + x;
      let sx = m00 * <f32>x + m01 * <f32>y + m02;
      let sy = m10 * <f32>x + m11 * <f32>y + m12;
      if (dx) {
        sx += load<f32>(at(dx, j));
        sy += load<f32>(at(dy, j));
      }
      const x0f = Mathf.floor(sx), y0f = Mathf.floor(sy);
      const fx = sx - x0f, fy = sy - y0f;
      const x0 = <i32>x0f, y0 = <i32>y0f;
      let v: f32 = 0;
      for (let q = 0; q < 4; q++) {
        const xx = x0 + (q & 1), yy = y0 + (q >> 1);
        const w = ((q & 1) ? fx : 1 - fx) * ((q >> 1) ? fy : 1 - fy);
        const p = xx >= 0 && xx < W && yy >= 0 && yy < H ? load<f32>(at(src, yy * W + xx)) : fill;
        v += w * p;
      }
      store<f32>(at(dst, j), v);
    }
  }
}
