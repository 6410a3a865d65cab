// Twin of assembly/memory.ts. Pointers are byte addresses (>>> 2 gives the
// float index; unsigned so addresses past 2 GiB stay positive).
import type { Views } from "./views.js";

export function heapBase(): number {
  return 1024; // keep address 0 invalid, as in the Wasm builds
}

export function fill(this: Views, out: number, n: number, value: number): void {
  const o = out >>> 2;
  this.f32.fill(value, o, o + n);
}

export function copy(this: Views, dst: number, src: number, n: number): void {
  const s = src >>> 2;
  this.f32.copyWithin(dst >>> 2, s, s + n);
}

export function transpose2d(this: Views, src: number, dst: number, rows: number, cols: number): void {
  const f = this.f32;
  const s = src >>> 2,
    d = dst >>> 2;
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(r0 + T, rows);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(c0 + T, cols);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) f[d + c * rows + r] = f[s + r * cols + c];
      }
    }
  }
}
