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
  return ((H + 2 * PAD) * (W + 2 * PAD) + 3 * H * W + W + 2 * radius + 4) * 4;
}

/**
 * The normalised source image is kept with a border of PAD pixels of the fill
 * value, so the warp reads its four neighbours without a bounds check (a
 * sample further out is clamped into the border, where all four are fill).
 */
const PAD = 2;

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
  const P = H * W, S = W + 2 * PAD;
  const src = work, dx = at(src, (H + 2 * PAD) * S), dy = at(dx, P), tmp = at(dx, 2 * P), row = at(dx, 3 * P);
  fillBorder(src, H, W, shift);
  for (let i = 0; i < count; i++) {
    const q = params + (<usize>i << 5);
    for (let y = 0; y < H; y++) normalizeBytes(bytes + <usize>(i * P + y * W), at(src, (y + PAD) * S + PAD), W, scale, shift);
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
      elastic ? dx : 0, elastic ? dy : 0,
    );
  }
}

/** The PAD-pixel border around the H x W interior of src set to `fill`. */
function fillBorder(src: usize, H: i32, W: i32, fill: f32): void {
  const S = W + 2 * PAD;
  for (let y = 0; y < H + 2 * PAD; y++) {
    for (let x = 0; x < S; x++) {
      if (y < PAD || y >= H + PAD || x < PAD || x >= W + PAD) store<f32>(at(src, y * S + x), fill);
    }
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
 * Sixteen outputs go at once (four independent sums sharing each tap; the
 * last sixteen overlap the previous ones when W is not a multiple), as one
 * sum's chain of additions would leave the core waiting.
 */
function blurRows(field: usize, tmp: usize, H: i32, W: i32, kernel: usize, radius: i32, row: usize): void {
  const taps = 2 * radius + 1;
  memory.fill(row, 0, <usize>(W + 2 * radius + 4) << 2);
  for (let y = 0; y < H; y++) {
    memory.copy(at(row, radius), at(field, y * W), <usize>W << 2);
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      if (W >= 16) {
        for (let g = 0; ; g += 16) {
          const x0 = min(g, W - 16);
          const p = at(row, x0);
          let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
          for (let k = 0; k < taps; k++) {
            const w = v128.load32_splat(at(kernel, k)), q = at(p, k);
            s0 = f32x4.add(s0, f32x4.mul(v128.load(q), w));
            s1 = f32x4.add(s1, f32x4.mul(v128.load(q, 16), w));
            s2 = f32x4.add(s2, f32x4.mul(v128.load(q, 32), w));
            s3 = f32x4.add(s3, f32x4.mul(v128.load(q, 48), w));
          }
          storeFour(at(tmp, y * W + x0), s0, s1, s2, s3);
          if (x0 + 16 >= W) break;
        }
        continue;
      }
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

@inline function storeFour(p: usize, s0: v128, s1: v128, s2: v128, s3: v128): void {
  v128.store(p, s0);
  v128.store(p, s1, 16);
  v128.store(p, s2, 32);
  v128.store(p, s3, 48);
}

/**
 * field = alpha times each column of tmp convolved with the kernel (rows
 * outside count as 0), sixteen columns at once as in blurRows, then four.
 */
function blurColumns(tmp: usize, field: usize, H: i32, W: i32, kernel: usize, radius: i32, alpha: f32): void {
  for (let y = 0; y < H; y++) {
    const a = max(y - radius, 0), b = min(y + radius, H - 1);
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const va = f32x4.splat(alpha);
      if (W >= 16) {
        for (let g = 0; ; g += 16) {
          const x0 = min(g, W - 16);
          let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
          for (let k = a; k <= b; k++) {
            const w = v128.load32_splat(at(kernel, k - y + radius)), q = at(tmp, k * W + x0);
            s0 = f32x4.add(s0, f32x4.mul(v128.load(q), w));
            s1 = f32x4.add(s1, f32x4.mul(v128.load(q, 16), w));
            s2 = f32x4.add(s2, f32x4.mul(v128.load(q, 32), w));
            s3 = f32x4.add(s3, f32x4.mul(v128.load(q, 48), w));
          }
          storeFour(at(field, y * W + x0), f32x4.mul(s0, va), f32x4.mul(s1, va), f32x4.mul(s2, va), f32x4.mul(s3, va));
          if (x0 + 16 >= W) break;
        }
        continue;
      }
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
 * bilinear, the fill value outside the image (src: the padded image, see
 * PAD); dx and dy may be 0 (no displacement field). Four outputs per vector,
 * their sixteen neighbours read lane by lane, in the scalar pixel's order.
 */
function warpBilinear(
  src: usize, dst: usize, H: i32, W: i32,
  m00: f32, m01: f32, m02: f32, m10: f32, m11: f32, m12: f32, dx: usize, dy: usize,
): void {
  const S = W + 2 * PAD;
  for (let y = 0; y < H; y++) {
    const fy = <f32>y;
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const a00 = f32x4.splat(m00), a02 = f32x4.splat(m02), a10 = f32x4.splat(m10), a12 = f32x4.splat(m12);
      const ay0 = f32x4.splat(m01 * fy), ay1 = f32x4.splat(m11 * fy);
      const one = f32x4.splat(1), lo = f32x4.splat(<f32>-PAD), hiX = f32x4.splat(<f32>W), hiY = f32x4.splat(<f32>H);
      const stride = i32x4.splat(S), origin = i32x4.splat(PAD * S + PAD);
      let xs = f32x4(0, 1, 2, 3);
      for (; x + 4 <= W; x += 4) {
        const j = y * W + x;
        let sx = f32x4.add(f32x4.add(f32x4.mul(a00, xs), ay0), a02);
        let sy = f32x4.add(f32x4.add(f32x4.mul(a10, xs), ay1), a12);
        if (dx) {
          sx = f32x4.add(sx, v128.load(at(dx, j)));
          sy = f32x4.add(sy, v128.load(at(dy, j)));
        }
        const x0 = f32x4.floor(sx), y0 = f32x4.floor(sy);
        const tx = f32x4.sub(sx, x0), ty = f32x4.sub(sy, y0);
        const ux = f32x4.sub(one, tx), uy = f32x4.sub(one, ty);
        const xi = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(x0, lo), hiX));
        const yi = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(y0, lo), hiY));
        const k = i32x4.add(i32x4.add(i32x4.mul(yi, stride), xi), origin);
        const k0 = at(src, i32x4.extract_lane(k, 0)), k1 = at(src, i32x4.extract_lane(k, 1));
        const k2 = at(src, i32x4.extract_lane(k, 2)), k3 = at(src, i32x4.extract_lane(k, 3));
        const r = <usize>S << 2;
        const p0 = f32x4(load<f32>(k0), load<f32>(k1), load<f32>(k2), load<f32>(k3));
        const p1 = f32x4(load<f32>(k0, 4), load<f32>(k1, 4), load<f32>(k2, 4), load<f32>(k3, 4));
        const p2 = f32x4(load<f32>(k0 + r), load<f32>(k1 + r), load<f32>(k2 + r), load<f32>(k3 + r));
        const p3 = f32x4(load<f32>(k0 + r, 4), load<f32>(k1 + r, 4), load<f32>(k2 + r, 4), load<f32>(k3 + r, 4));
        let v = f32x4.add(f32x4.splat(0), f32x4.mul(f32x4.mul(ux, uy), p0));
        v = f32x4.add(v, f32x4.mul(f32x4.mul(tx, uy), p1));
        v = f32x4.add(v, f32x4.mul(f32x4.mul(ux, ty), p2));
        v = f32x4.add(v, f32x4.mul(f32x4.mul(tx, ty), p3));
        v128.store(at(dst, j), v);
        xs = f32x4.add(xs, f32x4.splat(4));
      }
    }
    for (; x < W; x++) {
      const j = y * W + x;
      let sx = m00 * <f32>x + m01 * fy + m02;
      let sy = m10 * <f32>x + m11 * fy + m12;
      if (dx) {
        sx += load<f32>(at(dx, j));
        sy += load<f32>(at(dy, j));
      }
      const x0 = Mathf.floor(sx), y0 = Mathf.floor(sy);
      const tx = sx - x0, ty = sy - y0;
      const k = at(src, <i32>min(max(y0, <f32>-PAD), <f32>H) * S + <i32>min(max(x0, <f32>-PAD), <f32>W) + PAD * S + PAD);
      const r = <usize>S << 2;
      let v: f32 = 0;
      v += (1 - tx) * (1 - ty) * load<f32>(k);
      v += tx * (1 - ty) * load<f32>(k, 4);
      v += (1 - tx) * ty * load<f32>(k + r);
      v += tx * ty * load<f32>(k + r, 4);
      store<f32>(at(dst, j), v);
    }
  }
}
