// Optimizer updates, one fused pass per parameter tensor (PyTorch's update
// rules). Scalars that depend on the step count (bias corrections) are
// computed by the caller.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/**
 * SGD: g = grad + wd p; buf = first ? g : momentum buf + (1 - dampening) g;
 * g = nesterov ? g + momentum buf : buf; p -= lr g. buf is unused when
 * momentum is 0.
 */
export function sgdStep(
  p: usize, grad: usize, buf: usize, n: i32, lr: f32, momentum: f32, dampening: f32,
  weightDecay: f32, nesterov: i32, first: i32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vwd = f32x4.splat(weightDecay), vm = f32x4.splat(momentum);
    const vd = f32x4.splat(1 - dampening);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      let g = f32x4.add(v128.load(at(grad, i)), f32x4.mul(vwd, pv));
      if (momentum != 0) {
        const b = first ? g : f32x4.add(f32x4.mul(vm, v128.load(at(buf, i))), f32x4.mul(vd, g));
        v128.store(at(buf, i), b);
        g = nesterov ? f32x4.add(g, f32x4.mul(vm, b)) : b;
      }
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, g)));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    let g = load<f32>(at(grad, i)) + weightDecay * pv;
    if (momentum != 0) {
      const b = first ? g : momentum * load<f32>(at(buf, i)) + (1 - dampening) * g;
      store<f32>(at(buf, i), b);
      g = nesterov ? g + momentum * b : b;
    }
    store<f32>(at(p, i), pv - lr * g);
  }
}

/**
 * Adam / AdamW: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p -= stepSize m / (sqrt(v) / sqrtBc2 + eps), with stepSize = lr / (1 - b1^t)
 * and sqrtBc2 = sqrt(1 - b2^t). Weight decay is added to g (Adam), or
 * decoupled as p *= 1 - lr wd (AdamW, decoupled != 0).
 */
export function adamStep(
  p: usize, grad: usize, m: usize, v: usize, n: i32, lr: f32, beta1: f32, beta2: f32, eps: f32,
  weightDecay: f32, decoupled: i32, stepSize: f32, sqrtBc2: f32,
): void {
  const shrink: f32 = decoupled ? 1 - lr * weightDecay : 1;
  const decay: f32 = decoupled ? 0 : weightDecay;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(shrink), vwd = f32x4.splat(decay);
    const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1), b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
    const ve = f32x4.splat(eps), vss = f32x4.splat(stepSize), vbc = f32x4.splat(sqrtBc2);
    for (; i + 4 <= n; i += 4) {
      const p0 = v128.load(at(p, i));
      const g = f32x4.add(v128.load(at(grad, i)), f32x4.mul(vwd, p0));
      const mv = f32x4.add(f32x4.mul(b1, v128.load(at(m, i))), f32x4.mul(c1, g));
      const vv = f32x4.add(f32x4.mul(b2, v128.load(at(v, i))), f32x4.mul(c2, f32x4.mul(g, g)));
      v128.store(at(m, i), mv);
      v128.store(at(v, i), vv);
      const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc), ve);
      v128.store(at(p, i), f32x4.sub(f32x4.mul(p0, vs), f32x4.div(f32x4.mul(vss, mv), denom)));
    }
  }
  for (; i < n; i++) {
    const p0 = load<f32>(at(p, i));
    const g = load<f32>(at(grad, i)) + decay * p0;
    const mv = beta1 * load<f32>(at(m, i)) + (1 - beta1) * g;
    const vv = beta2 * load<f32>(at(v, i)) + (1 - beta2) * g * g;
    store<f32>(at(m, i), mv);
    store<f32>(at(v, i), vv);
    store<f32>(at(p, i), p0 * shrink - stepSize * mv / (Mathf.sqrt(vv) / sqrtBc2 + eps));
  }
}

/**
 * RMSprop: sq = alpha sq + (1 - alpha) g^2; d = g / (sqrt(sq) + eps);
 * with momentum: buf = momentum buf + d, p -= lr buf; else p -= lr d.
 */
export function rmspropStep(
  p: usize, grad: usize, sq: usize, buf: usize, n: i32, lr: f32, alpha: f32, eps: f32,
  weightDecay: f32, momentum: f32,
): void {
  for (let i = 0; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const g = load<f32>(at(grad, i)) + weightDecay * pv;
    const s = alpha * load<f32>(at(sq, i)) + (1 - alpha) * g * g;
    store<f32>(at(sq, i), s);
    let d = g / (Mathf.sqrt(s) + eps);
    if (momentum != 0) {
      d += momentum * load<f32>(at(buf, i));
      store<f32>(at(buf, i), d);
    }
    store<f32>(at(p, i), pv - lr * d);
  }
}

/** sum of x^2 (for gradient and step norms), accumulated in f64. */
export function sumSquares(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(at(x, i));
    s += v * v;
  }
  return s;
}

/** sum of (a - b)^2, accumulated in f64. */
export function sumSquaredDiff(a: usize, b: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = <f64>load<f32>(at(a, i)) - <f64>load<f32>(at(b, i));
    s += d * d;
  }
  return s;
}

/**
 * Adadelta: g = grad + wd p; sq = rho sq + (1 - rho) g^2;
 * delta = sqrt(acc + eps) / sqrt(sq + eps) g; acc = rho acc + (1 - rho) delta^2;
 * p -= lr delta.
 */
export function adadeltaStep(p: usize, grad: usize, sq: usize, acc: usize, n: i32, lr: f32, rho: f32, eps: f32, weightDecay: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vr = f32x4.splat(rho), vc = f32x4.splat(1 - rho), ve = f32x4.splat(eps), vlr = f32x4.splat(lr), vwd = f32x4.splat(weightDecay);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const g = f32x4.add(v128.load(at(grad, i)), f32x4.mul(vwd, pv));
      const s = f32x4.add(f32x4.mul(vr, v128.load(at(sq, i))), f32x4.mul(vc, f32x4.mul(g, g)));
      v128.store(at(sq, i), s);
      const a = v128.load(at(acc, i));
      const d = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(a, ve)), f32x4.sqrt(f32x4.add(s, ve))), g);
      v128.store(at(acc, i), f32x4.add(f32x4.mul(vr, a), f32x4.mul(vc, f32x4.mul(d, d))));
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, d)));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const g = load<f32>(at(grad, i)) + weightDecay * pv;
    const s = rho * load<f32>(at(sq, i)) + (1 - rho) * g * g;
    store<f32>(at(sq, i), s);
    const a = load<f32>(at(acc, i));
    const d = (Mathf.sqrt(a + eps) / Mathf.sqrt(s + eps)) * g;
    store<f32>(at(acc, i), rho * a + (1 - rho) * d * d);
    store<f32>(at(p, i), pv - lr * d);
  }
}

/** Adagrad: g = grad + wd p; sum += g^2; p -= clr g / (sqrt(sum) + eps), clr the decayed learning rate. */
export function adagradStep(p: usize, grad: usize, sum: usize, n: i32, clr: f32, eps: f32, weightDecay: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(clr), ve = f32x4.splat(eps), vwd = f32x4.splat(weightDecay);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const g = f32x4.add(v128.load(at(grad, i)), f32x4.mul(vwd, pv));
      const s = f32x4.add(v128.load(at(sum, i)), f32x4.mul(g, g));
      v128.store(at(sum, i), s);
      v128.store(at(p, i), f32x4.sub(pv, f32x4.div(f32x4.mul(vlr, g), f32x4.add(f32x4.sqrt(s), ve))));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const g = load<f32>(at(grad, i)) + weightDecay * pv;
    const s = load<f32>(at(sum, i)) + g * g;
    store<f32>(at(sum, i), s);
    store<f32>(at(p, i), pv - (clr * g) / (Mathf.sqrt(s) + eps));
  }
}
