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
    f[out + i] = v <= 0 ? 0 : v; // NaN stays NaN
  }
}

export function reluMask(this: Views, x: number, out: number, mask: number, n: number): void {
  const f = this.f32,
    u = this.u8;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) {
    const v = f[x + i];
    f[out + i] = v <= 0 ? 0 : v;
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

/** Applies f(x[i]) for i < n: the twins of the one-input activations. */
function map1(v: Views, x: number, out: number, n: number, fn: (x: number) => number): void {
  const f = v.f32;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = fn(f[x + i]);
}

/** Applies f(g[i], x[i]) for i < n: the twins of their backward kernels. */
function map2(v: Views, g: number, x: number, out: number, n: number, fn: (g: number, x: number) => number): void {
  const f = v.f32;
  g >>>= 2;
  x >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = fn(f[g + i], f[x + i]);
}

export function abs(this: Views, x: number, out: number, n: number): void {
  map1(this, x, out, n, Math.abs);
}

export function absBackward(this: Views, g: number, x: number, out: number, n: number): void {
  map2(this, g, x, out, n, (gv, v) => (v > 0 ? gv : v < 0 ? -gv : 0));
}

export function clamp(this: Views, x: number, out: number, n: number, lo: number, hi: number): void {
  map1(this, x, out, n, (v) => Math.min(Math.max(v, lo), hi));
}

export function clampBackward(this: Views, g: number, x: number, out: number, n: number, lo: number, hi: number): void {
  map2(this, g, x, out, n, (gv, v) => (v >= lo && v <= hi ? gv : 0));
}

export function leakyRelu(this: Views, x: number, out: number, n: number, slope: number): void {
  map1(this, x, out, n, (v) => (v > 0 ? v : v * slope));
}

export function leakyReluBackward(this: Views, g: number, x: number, out: number, n: number, slope: number): void {
  map2(this, g, x, out, n, (gv, v) => (v > 0 ? gv : gv * slope));
}

export function elu(this: Views, x: number, out: number, n: number, alpha: number): void {
  map1(this, x, out, n, (v) => (v > 0 ? v : alpha * Math.expm1(v)));
}

export function eluBackward(this: Views, g: number, x: number, out: number, n: number, alpha: number): void {
  map2(this, g, x, out, n, (gv, v) => (v > 0 ? gv : gv * alpha * Math.exp(v)));
}

/** erf by Abramowitz and Stegun 7.1.26, as the Wasm kernels compute it. */
function erfApprox(x: number): number {
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const r = 1 - p * Math.exp(-a * a);
  return x < 0 ? -r : r;
}

export function erf(this: Views, x: number, out: number, n: number): void {
  map1(this, x, out, n, erfApprox);
}

export function erfBackward(this: Views, g: number, x: number, out: number, n: number): void {
  map2(this, g, x, out, n, (gv, v) => gv * (2 / Math.sqrt(Math.PI)) * Math.exp(-v * v));
}

const SQRT_2_PI = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

export function gelu(this: Views, x: number, out: number, n: number): void {
  map1(this, x, out, n, (v) => 0.5 * v * (1 + erfApprox(v * Math.SQRT1_2)));
}

export function geluBackward(this: Views, g: number, x: number, out: number, n: number): void {
  map2(
    this,
    g,
    x,
    out,
    n,
    (gv, v) => gv * (0.5 * (1 + erfApprox(v * Math.SQRT1_2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI)),
  );
}

export function geluTanh(this: Views, x: number, out: number, n: number): void {
  map1(this, x, out, n, (v) => 0.5 * v * (1 + Math.tanh(SQRT_2_PI * (v + GELU_C * v * v * v))));
}

export function geluTanhBackward(this: Views, g: number, x: number, out: number, n: number): void {
  map2(this, g, x, out, n, (gv, v) => {
    const t = Math.tanh(SQRT_2_PI * (v + GELU_C * v * v * v));
    return gv * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_PI * (1 + 3 * GELU_C * v * v));
  });
}

const sigmoidOf = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

export function silu(this: Views, x: number, out: number, n: number): void {
  map1(this, x, out, n, (v) => v * sigmoidOf(v));
}

export function siluBackward(this: Views, g: number, x: number, out: number, n: number): void {
  map2(this, g, x, out, n, (gv, v) => {
    const s = sigmoidOf(v);
    return gv * s * (1 + v * (1 - s));
  });
}

export function softplus(this: Views, x: number, out: number, n: number, beta: number, threshold: number): void {
  map1(this, x, out, n, (v) => {
    const b = beta * v;
    return b > threshold ? v : (Math.max(b, 0) + Math.log1p(Math.exp(-Math.abs(b)))) / beta;
  });
}

export function softplusBackward(this: Views, g: number, x: number, out: number, n: number, beta: number, threshold: number): void {
  map2(this, g, x, out, n, (gv, v) => (beta * v > threshold ? gv : gv * sigmoidOf(beta * v)));
}

export function select(this: Views, c: number, a: number, b: number, out: number, n: number): void {
  const f = this.f32;
  c >>>= 2;
  a >>>= 2;
  b >>>= 2;
  out >>>= 2;
  for (let i = 0; i < n; i++) f[out + i] = f[c + i] !== 0 ? f[a + i] : f[b + i];
}

export function selectGrad(this: Views, c: number, g: number, out: number, n: number, whenTrue: number): void {
  map2(this, c, g, out, n, (cv, gv) => ((cv !== 0) === (whenTrue !== 0) ? gv : 0));
}
