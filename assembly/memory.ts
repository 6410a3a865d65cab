// Memory helpers. The TypeScript side owns the heap layout (allocator, free
// lists); kernels only read and write the blocks they are handed, so a later
// threaded build can share one memory between instances.

/** First byte after the module's static data: where the TS allocator may start. */
export function heapBase(): usize {
  return __heap_base;
}

export function fill(out: usize, n: i32, value: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), value);
}

export function copy(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

/** dst[c, r] = src[r, c], in tiles so both sides stay in cache. */
export function transpose2d(src: usize, dst: usize, rows: i32, cols: i32): void {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = min(r0 + T, rows);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = min(c0 + T, cols);
      for (let r = r0; r < r1; r++) {
        const s = src + (<usize>r * cols << 2);
        for (let c = c0; c < c1; c++) {
          store<f32>(dst + ((<usize>c * rows + r) << 2), load<f32>(s + (<usize>c << 2)));
        }
      }
    }
  }
}
