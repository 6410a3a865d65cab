// A drawn digit made to look like an MNIST one: MNIST's digits were scaled so
// the bounding box fits 20x20 (keeping the aspect ratio, grey levels from
// anti-aliasing), then placed in 28x28 with the centre of mass at the centre.

/** Ink in [0, 1] of a size x size square, row-major, to a 28x28 MNIST-like image in [0, 1]; all zero if nothing is drawn. */
export function toMnist(ink: Float32Array, size: number): Float32Array {
  const out = new Float32Array(28 * 28);
  let x0 = size,
    y0 = size,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      if (ink[y * size + x] > 0.05) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1,
    bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale)),
    h = Math.max(1, Math.round(bh * scale));
  // box filter: each small pixel is the mean of the ink it covers
  const small = new Float32Array(w * h);
  for (let j = 0; j < h; j++) {
    const sy0 = y0 + Math.floor((j * bh) / h),
      sy1 = Math.max(sy0 + 1, y0 + Math.floor(((j + 1) * bh) / h));
    for (let i = 0; i < w; i++) {
      const sx0 = x0 + Math.floor((i * bw) / w),
        sx1 = Math.max(sx0 + 1, x0 + Math.floor(((i + 1) * bw) / w));
      let s = 0;
      for (let y = sy0; y < sy1; y++) for (let x = sx0; x < sx1; x++) s += ink[y * size + x];
      small[j * w + i] = s / ((sy1 - sy0) * (sx1 - sx0));
    }
  }
  let mass = 0,
    cx = 0,
    cy = 0;
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const v = small[j * w + i];
      mass += v;
      cx += v * (i + 0.5);
      cy += v * (j + 0.5);
    }
  const ox = Math.round(14 - cx / mass),
    oy = Math.round(14 - cy / mass);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const X = i + ox,
        Y = j + oy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = Math.min(1, small[j * w + i]);
    }
  return out;
}

/** The 28x28 image moved dx pixels right (left when negative), zeros coming in. */
export function shiftImage(img: Float32Array, dx: number): Float32Array {
  const out = new Float32Array(28 * 28);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < 28) out[y * 28 + x] = img[y * 28 + sx];
    }
  return out;
}
