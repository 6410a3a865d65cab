// Twin of assembly/broadcast.ts (meta layout described there).
import { BIN_ADD, BIN_DIV, BIN_MUL, BIN_SUB } from "../kernels.js";
import type { Views } from "./views.js";

const counters = new Int32Array(8);

type Op = (x: number, y: number) => number;
// indexed by the BIN_ codes of kernels.ts
const OPS: Op[] = [
  (x, y) => x + y,
  (x, y) => x - y,
  (x, y) => x * y,
  (x, y) => x / y,
  (x, y) => Math.pow(x, y),
  (x) => x,
  (x, y) => Math.max(x, y),
  (x, y) => Math.min(x, y),
  (x, y) => (x < y ? 0 : x === y ? 0.5 : 1),
  (x, y) => (x === y ? 1 : 0),
  (x, y) => (x !== y ? 1 : 0),
  (x, y) => (x > y ? 1 : 0),
  (x, y) => (x >= y ? 1 : 0),
  (x, y) => (x < y ? 1 : 0),
  (x, y) => (x <= y ? 1 : 0),
];

export function binaryBroadcast(this: Views, op: number, a: number, b: number, out: number, meta: number): void {
  const f = this.f32,
    m = this.i32;
  const mi = meta >>> 2;
  const nd = m[mi];
  const n = m[mi + nd];
  const sa = m[mi + 8 + nd],
    sb = m[mi + 16 + nd];
  counters.fill(0);
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) outer *= m[mi + 1 + d];
  const fn = OPS[op] ?? OPS[5];
  a >>>= 2;
  b >>>= 2;
  out >>>= 2;
  let offA = 0,
    offB = 0;
  for (let o = 0; o < outer; o++) {
    const pa = a + offA,
      pb = b + offB,
      po = out + o * n;
    // The common cases get their own loops (a closure call per element is slow).
    if (op === BIN_ADD && sa === 1 && sb === 1) for (let i = 0; i < n; i++) f[po + i] = f[pa + i] + f[pb + i];
    else if (op === BIN_MUL && sa === 1 && sb === 1) for (let i = 0; i < n; i++) f[po + i] = f[pa + i] * f[pb + i];
    else if (op === BIN_ADD && sa === 1 && sb === 0) {
      const v = f[pb];
      for (let i = 0; i < n; i++) f[po + i] = f[pa + i] + v;
    } else if (op === BIN_MUL && sa === 1 && sb === 0) {
      const v = f[pb];
      for (let i = 0; i < n; i++) f[po + i] = f[pa + i] * v;
    } else if (op === BIN_SUB && sa === 1 && sb === 0) {
      const v = f[pb];
      for (let i = 0; i < n; i++) f[po + i] = f[pa + i] - v;
    } else if (op === BIN_DIV && sa === 1 && sb === 0) {
      const v = f[pb];
      for (let i = 0; i < n; i++) f[po + i] = f[pa + i] / v;
    } else for (let i = 0; i < n; i++) f[po + i] = fn(f[pa + i * sa], f[pb + i * sb]);
    for (let d = nd - 2; d >= 0; d--) {
      const c = counters[d] + 1;
      if (c < m[mi + 1 + d]) {
        counters[d] = c;
        offA += m[mi + 9 + d];
        offB += m[mi + 17 + d];
        break;
      }
      counters[d] = 0;
      offA -= m[mi + 9 + d] * (c - 1);
      offB -= m[mi + 17 + d] * (c - 1);
    }
  }
}

export function sumToShape(this: Views, x: number, out: number, meta: number): void {
  const f = this.f32,
    m = this.i32;
  const mi = meta >>> 2;
  const nd = m[mi];
  const n = m[mi + nd];
  const so = m[mi + 8 + nd];
  counters.fill(0);
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) outer *= m[mi + 1 + d];
  x >>>= 2;
  out >>>= 2;
  let off = 0;
  for (let o = 0; o < outer; o++) {
    const src = x + o * n,
      dst = out + off;
    if (so === 0) {
      let s = 0;
      for (let i = 0; i < n; i++) s += f[src + i];
      f[dst] += s;
    } else {
      for (let i = 0; i < n; i++) f[dst + i] += f[src + i];
    }
    for (let d = nd - 2; d >= 0; d--) {
      const c = counters[d] + 1;
      if (c < m[mi + 1 + d]) {
        counters[d] = c;
        off += m[mi + 9 + d];
        break;
      }
      counters[d] = 0;
      off -= m[mi + 9 + d] * (c - 1);
    }
  }
}

export function copyStrided(this: Views, src: number, dst: number, meta: number): void {
  const f = this.f32,
    m = this.i32;
  const mi = meta >>> 2;
  const nd = m[mi];
  const n = m[mi + nd];
  const sa = m[mi + 8 + nd],
    sb = m[mi + 16 + nd];
  counters.fill(0);
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) outer *= m[mi + 1 + d];
  src >>>= 2;
  dst >>>= 2;
  let offA = 0,
    offB = 0;
  for (let o = 0; o < outer; o++) {
    const s = src + offA,
      t = dst + offB;
    for (let i = 0; i < n; i++) f[t + i * sb] = f[s + i * sa];
    for (let d = nd - 2; d >= 0; d--) {
      const c = counters[d] + 1;
      if (c < m[mi + 1 + d]) {
        counters[d] = c;
        offA += m[mi + 9 + d];
        offB += m[mi + 17 + d];
        break;
      }
      counters[d] = 0;
      offA -= m[mi + 9 + d] * (c - 1);
      offB -= m[mi + 17 + d] * (c - 1);
    }
  }
}
