// Twin of assembly/loss.ts.
import type { Views } from "./views.js";

export function crossEntropy(this: Views, x: number, targets: number, rowLoss: number, grad: number, N: number, C: number): void {
  const f = this.f32,
    t32 = this.i32;
  x >>>= 2;
  targets >>>= 2;
  rowLoss >>>= 2;
  grad >>>= 2;
  for (let i = 0; i < N; i++) {
    const row = x + i * C,
      g = grad + i * C;
    let m = f[row];
    for (let k = 1; k < C; k++) m = Math.max(m, f[row + k]);
    let s = 0;
    for (let k = 0; k < C; k++) {
      const e = Math.exp(f[row + k] - m);
      f[g + k] = e;
      s += e;
    }
    const t = t32[targets + i];
    f[rowLoss + i] = m + Math.log(s) - f[row + t];
    const r = 1 / s;
    for (let k = 0; k < C; k++) f[g + k] *= r;
    f[g + t] -= 1;
  }
}

/** dx[i, :] = grad[i, :] * g[i * gs] * scale (the twin of assembly/loss.ts). */
export function crossEntropyBackward(
  this: Views,
  g: number,
  gs: number,
  grad: number,
  dx: number,
  N: number,
  C: number,
  scale: number,
): void {
  const f = this.f32;
  g >>>= 2;
  grad >>>= 2;
  dx >>>= 2;
  for (let i = 0; i < N; i++) {
    const s = f[g + i * gs] * scale;
    for (let k = 0; k < C; k++) f[dx + i * C + k] = f[grad + i * C + k] * s;
  }
}

export function nllLoss(this: Views, x: number, targets: number, rowLoss: number, N: number, C: number): void {
  const f = this.f32,
    t32 = this.i32;
  x >>>= 2;
  targets >>>= 2;
  rowLoss >>>= 2;
  for (let i = 0; i < N; i++) f[rowLoss + i] = -f[x + i * C + t32[targets + i]];
}

export function nllLossBackward(
  this: Views,
  g: number,
  gs: number,
  targets: number,
  dx: number,
  N: number,
  C: number,
  scale: number,
): void {
  const f = this.f32,
    t32 = this.i32;
  g >>>= 2;
  targets >>>= 2;
  dx >>>= 2;
  for (let i = 0; i < N; i++) f[dx + i * C + t32[targets + i]] = -scale * f[g + i * gs];
}

export function binaryCrossEntropy(this: Views, p: number, y: number, loss: number, n: number): void {
  const f = this.f32;
  p >>>= 2;
  y >>>= 2;
  loss >>>= 2;
  for (let i = 0; i < n; i++) {
    const pv = f[p + i],
      yv = f[y + i];
    f[loss + i] = -(yv * Math.max(Math.log(pv), -100) + (1 - yv) * Math.max(Math.log(1 - pv), -100));
  }
}

export function binaryCrossEntropyBackward(
  this: Views,
  g: number,
  gs: number,
  p: number,
  y: number,
  dp: number,
  n: number,
  scale: number,
): void {
  const f = this.f32;
  g >>>= 2;
  p >>>= 2;
  y >>>= 2;
  dp >>>= 2;
  for (let i = 0; i < n; i++) {
    const pv = f[p + i];
    f[dp + i] = (scale * f[g + i * gs] * (pv - f[y + i])) / Math.max(pv * (1 - pv), 1e-12);
  }
}
