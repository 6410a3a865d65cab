// Data loading and augmentation kernels: uint8 pixels normalised to floats, Gaussian smoothing of displacement fields, and
// bilinear warping (shifts, affine transforms, elastic distortions).

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

/**
 * In-place separable Gaussian smoothing of an H x W field with a
 * (2 radius + 1)-tap kernel (values outside the field count as 0); tmp holds
 * H x W floats.
 */
export function gaussianBlur(field: usize, tmp: usize, H: i32, W: i32, kernel: usize, radius: i32): void {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s: f32 = 0;
      const a = max(x - radius, 0), b = min(x + radius, W - 1);
      for (let k = a; k <= b; k++) s += load<f32>(at(field, y * W + k)) * load<f32>(at(kernel, k - x + radius));
      store<f32>(at(tmp, y * W + x), s);
    }
  }
  for (let y = 0; y < H; y++) {
    const a = max(y - radius, 0), b = min(y + radius, H - 1);
    for (let x = 0; x < W; x++) {
      let s: f32 = 0;
      for (let k = a; k <= b; k++) s += load<f32>(at(tmp, k * W + x)) * load<f32>(at(kernel, k - y + radius));
      store<f32>(at(field, y * W + x), s);
    }
  }
}

/**
 * dst(y, x) = src at (m00 x + m01 y + m02 + dx(y, x), m10 x + m11 y + m12 + dy(y, x)),
 * bilinear, `fill` outside the image; dx and dy may be 0 (no displacement field).
 */
export function warpBilinear(
  src: usize, dst: usize, H: i32, W: i32,
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
