// Losses as fused kernels: each writes per-row losses and, where it saves a
// pass, the gradient in the same sweep. Targets are i32 class indices,
// validated by the caller.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/**
 * Cross-entropy over logits [N, C]: rowLoss[i] = logsumexp(x_i) - x_i[t_i],
 * and grad[i] = softmax(x_i) - onehot(t_i) (unscaled: the op applies the
 * reduction), all in one pass over each row.
 */
export function crossEntropy(x: usize, targets: usize, rowLoss: usize, grad: usize, N: i32, C: i32): void {
  for (let i = 0; i < N; i++) {
    const row = at(x, i * C), g = at(grad, i * C);
    let m = load<f32>(row);
    for (let k = 1; k < C; k++) m = max(m, load<f32>(at(row, k)));
    let s: f32 = 0;
    for (let k = 0; k < C; k++) {
      const e = Mathf.exp(load<f32>(at(row, k)) - m);
      store<f32>(at(g, k), e);
      s += e;
    }
    const t = load<i32>(at(targets, i));
    store<f32>(at(rowLoss, i), m + Mathf.log(s) - load<f32>(at(row, t)));
    const r: f32 = 1 / s;
    for (let k = 0; k < C; k++) store<f32>(at(g, k), load<f32>(at(g, k)) * r);
    store<f32>(at(g, t), load<f32>(at(g, t)) - 1);
  }
}

/**
 * dx[i, :] = grad[i, :] * g[i * gs] * scale: the upstream gradient (gs = 0:
 * one value for every row) times the softmax - onehot that crossEntropy
 * wrote. The factor is rounded to f32 once per row, as multiplying by a
 * scalar does.
 */
export function crossEntropyBackward(g: usize, gs: i32, grad: usize, dx: usize, N: i32, C: i32, scale: f64): void {
  for (let i = 0; i < N; i++) {
    const s = <f32>(<f64>load<f32>(at(g, i * gs)) * scale);
    const row = at(grad, i * C), out = at(dx, i * C);
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      const vs = f32x4.splat(s);
      for (; k + 4 <= C; k += 4) v128.store(at(out, k), f32x4.mul(v128.load(at(row, k)), vs));
    }
    for (; k < C; k++) store<f32>(at(out, k), load<f32>(at(row, k)) * s);
  }
}

/** Negative log-likelihood of log-probabilities [N, C]: rowLoss[i] = -x_i[t_i]. */
export function nllLoss(x: usize, targets: usize, rowLoss: usize, N: i32, C: i32): void {
  for (let i = 0; i < N; i++) store<f32>(at(rowLoss, i), -load<f32>(at(x, i * C + load<i32>(at(targets, i)))));
}

/** dx (zero-filled by the caller) [i, t_i] = -g[i * gs] (gs = 0: one upstream value for every row). */
export function nllLossBackward(g: usize, gs: i32, targets: usize, dx: usize, N: i32, C: i32, scale: f32): void {
  for (let i = 0; i < N; i++) store<f32>(at(dx, i * C + load<i32>(at(targets, i))), -scale * load<f32>(at(g, i * gs)));
}

/**
 * Binary cross-entropy of probabilities p against targets y:
 * -(y log p + (1 - y) log(1 - p)), each log clamped at -100 as in PyTorch.
 */
export function binaryCrossEntropy(p: usize, y: usize, loss: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const pv = load<f32>(at(p, i)), yv = load<f32>(at(y, i));
    const lp = max(Mathf.log(pv), <f32>-100), lq = max(Mathf.log(1 - pv), <f32>-100);
    store<f32>(at(loss, i), -(yv * lp + (1 - yv) * lq));
  }
}

/** dp = g * (p - y) / max(p (1 - p), 1e-12), PyTorch's clamp. */
export function binaryCrossEntropyBackward(g: usize, gs: i32, p: usize, y: usize, dp: usize, n: i32, scale: f32): void {
  for (let i = 0; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = max(pv * (1 - pv), <f32>1e-12);
    store<f32>(at(dp, i), scale * load<f32>(at(g, i * gs)) * (pv - load<f32>(at(y, i))) / d);
  }
}
