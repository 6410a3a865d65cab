// Twin of assembly/elementwise.ts: the same kernels in plain TypeScript.
import type { Views } from "./views.js";

export function add(this: Views, a: number, b: number, out: number, n: number): void {
  const f = this.f32;
  a >>>= 2;
  b >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = f[a + i] + f[b + i];
}

export function sub(this: Views, a: number, b: number, out: number, n: number): void {
  const f = this.f32;
  a >>>= 2;
  b >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = f[a + i] - f[b + i];
}

export function mul(this: Views, a: number, b: number, out: number, n: number): void {
  const f = this.f32;
  a >>>= 2;
  b >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = f[a + i] * f[b + i];
}

export function div(this: Views, a: number, b: number, out: number, n: number): void {
  const f = this.f32;
  a >>>= 2;
  b >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = f[a + i] / f[b + i];
}

export function axpby(this: Views, a: number, s: number, b: number, t: number, out: number, n: number): void {
  const f = this.f32;
  a >>>= 2;
  b >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = f[a + i] * s + f[b + i] * t;
}

export function affine(this: Views, x: number, out: number, n: number, s: number, t: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = f[x + i] * s + t;
}

export function exp(this: Views, x: number, out: number, n: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = Math.exp(f[x + i]);
}

export function log(this: Views, x: number, out: number, n: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = Math.log(f[x + i]);
}

export function sqrt(this: Views, x: number, out: number, n: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = Math.sqrt(f[x + i]);
}

export function sqrtBackward(this: Views, g: number, y: number, out: number, n: number): void {
  const f = this.f32;
  g >>>= 2;
  y >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = (f[g + i] * 0.5) / f[y + i];
}

export function powScalar(this: Views, x: number, out: number, n: number, p: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  if (p === 2) for (let i = 0; i < n; i++) f[out + i] = f[x + i] * f[x + i];
  else for (let i = 0; i < n; i++) f[out + i] = Math.pow(f[x + i], p);
}

export function powScalarBackward(this: Views, g: number, x: number, out: number, n: number, p: number): void {
  const f = this.f32;
  g >>>= 2;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) {
    const xv = f[x + i];
    f[out + i] = f[g + i] * (p === 2 ? 2 * xv : p * Math.pow(xv, p - 1));
  }
}

export function relu(this: Views, x: number, out: number, n: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) {
    const v = f[x + i];
    f[out + i] = v > 0 ? v : 0;
  }
}

export function reluMask(this: Views, x: number, out: number, mask: number, n: number): void {
  const f = this.f32,
    u = this.u8;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) {
    const v = f[x + i];
    f[out + i] = v > 0 ? v : 0;
    u[mask + i] = v > 0 ? 0xff : 0;
  }
}

export function reluBackwardMask(this: Views, g: number, mask: number, out: number, n: number): void {
  const f = this.f32,
    u = this.u8;
  g >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = u[mask + i] !== 0 ? f[g + i] : 0;
}

export function sigmoid(this: Views, x: number, out: number, n: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) {
    const v = f[x + i];
    if (v >= 0) f[out + i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      f[out + i] = e / (1 + e);
    }
  }
}

export function sigmoidBackward(this: Views, g: number, y: number, out: number, n: number): void {
  const f = this.f32;
  g >>>= 2;
  y >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) {
    const yv = f[y + i];
    f[out + i] = f[g + i] * yv * (1 - yv);
  }
}

export function tanh(this: Views, x: number, out: number, n: number): void {
  const f = this.f32;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = Math.tanh(f[x + i]);
}

export function tanhBackward(this: Views, g: number, y: number, out: number, n: number): void {
  const f = this.f32;
  g >>>= 2;
  y >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) {
    const yv = f[y + i];
    f[out + i] = f[g + i] * (1 - yv * yv);
  }
}
