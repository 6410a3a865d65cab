// Twin of assembly/optim.ts.
import type { Views } from "./views.js";

export function sgdStep(
  this: Views,
  p: number,
  grad: number,
  buf: number,
  n: number,
  lr: number,
  momentum: number,
  dampening: number,
  weightDecay: number,
  nesterov: number,
  first: number,
): void {
  const f = this.f32;
  p >>>= 2;
  grad >>>= 2;
  buf >>>= 2;
  for (let i = 0; i < n; i++) {
    const pv = f[p + i];
    let g = f[grad + i] + weightDecay * pv;
    if (momentum !== 0) {
      const b = first ? g : momentum * f[buf + i] + (1 - dampening) * g;
      f[buf + i] = b;
      g = nesterov ? g + momentum * b : b;
    }
    f[p + i] = pv - lr * g;
  }
}

export function adamStep(
  this: Views,
  p: number,
  grad: number,
  m: number,
  v: number,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decoupled: number,
  stepSize: number,
  sqrtBc2: number,
): void {
  const f = this.f32;
  p >>>= 2;
  grad >>>= 2;
  m >>>= 2;
  v >>>= 2;
  const shrink = decoupled ? 1 - lr * weightDecay : 1;
  for (let i = 0; i < n; i++) {
    let pv = f[p + i];
    let g = f[grad + i];
    if (decoupled) pv *= shrink;
    else g += weightDecay * pv;
    const mv = beta1 * f[m + i] + (1 - beta1) * g;
    const vv = beta2 * f[v + i] + (1 - beta2) * g * g;
    f[m + i] = mv;
    f[v + i] = vv;
    f[p + i] = pv - (stepSize * mv) / (Math.sqrt(vv) / sqrtBc2 + eps);
  }
}

export function rmspropStep(
  this: Views,
  p: number,
  grad: number,
  sq: number,
  buf: number,
  n: number,
  lr: number,
  alpha: number,
  eps: number,
  weightDecay: number,
  momentum: number,
): void {
  const f = this.f32;
  p >>>= 2;
  grad >>>= 2;
  sq >>>= 2;
  buf >>>= 2;
  for (let i = 0; i < n; i++) {
    const pv = f[p + i];
    const g = f[grad + i] + weightDecay * pv;
    const s = alpha * f[sq + i] + (1 - alpha) * g * g;
    f[sq + i] = s;
    let d = g / (Math.sqrt(s) + eps);
    if (momentum !== 0) {
      d += momentum * f[buf + i];
      f[buf + i] = d;
    }
    f[p + i] = pv - lr * d;
  }
}

export function sumSquares(this: Views, x: number, n: number): number {
  const f = this.f32;
  x >>>= 2;
  let s = 0;
  for (let i = 0; i < n; i++) s += f[x + i] * f[x + i];
  return s;
}

export function sumSquaredDiff(this: Views, a: number, b: number, n: number): number {
  const f = this.f32;
  a >>>= 2;
  b >>>= 2;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = f[a + i] - f[b + i];
    s += d * d;
  }
  return s;
}

export function adadeltaStep(
  this: Views,
  p: number,
  grad: number,
  sq: number,
  acc: number,
  n: number,
  lr: number,
  rho: number,
  eps: number,
  weightDecay: number,
): void {
  const f = this.f32;
  const [p0, g0, s0, a0] = [p, grad, sq, acc].map((x) => x >>> 2);
  for (let i = 0; i < n; i++) {
    const pv = f[p0 + i];
    const g = f[g0 + i] + weightDecay * pv;
    const s = (f[s0 + i] = rho * f[s0 + i] + (1 - rho) * g * g);
    const a = f[a0 + i];
    const d = (Math.sqrt(a + eps) / Math.sqrt(s + eps)) * g;
    f[a0 + i] = rho * a + (1 - rho) * d * d;
    f[p0 + i] = pv - lr * d;
  }
}

export function adagradStep(
  this: Views,
  p: number,
  grad: number,
  sum: number,
  n: number,
  clr: number,
  eps: number,
  weightDecay: number,
): void {
  const f = this.f32;
  const [p0, g0, s0] = [p, grad, sum].map((x) => x >>> 2);
  for (let i = 0; i < n; i++) {
    const pv = f[p0 + i];
    const g = f[g0 + i] + weightDecay * pv;
    const s = (f[s0 + i] += g * g);
    f[p0 + i] = pv - (clr * g) / (Math.sqrt(s) + eps);
  }
}
