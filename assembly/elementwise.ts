// Element-wise kernels over contiguous f32 blocks: each forward beside the
// kernel its backward rule needs. Pointers are byte addresses, n counts floats.
// out may alias an input (in-place updates use that).

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// ---- same-shape binary ops ------------------------------------------------
// backward: d(a+b) = g, g; d(a-b) = g, -g; d(a*b) = g*b, g*a;
// d(a/b) = g/b, -g*a/b^2 (computed by the ops layer from these kernels).

export function add(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.add(v128.load(at(a, i)), v128.load(at(b, i))));
  }
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(a, i)) + load<f32>(at(b, i)));
}

export function sub(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.sub(v128.load(at(a, i)), v128.load(at(b, i))));
  }
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(a, i)) - load<f32>(at(b, i)));
}

export function mul(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.mul(v128.load(at(a, i)), v128.load(at(b, i))));
  }
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(a, i)) * load<f32>(at(b, i)));
}

export function div(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.div(v128.load(at(a, i)), v128.load(at(b, i))));
  }
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(a, i)) / load<f32>(at(b, i)));
}

/** out = a * s + b * t: scaled sums (gradient accumulation, axpy, scalar ops). */
export function axpby(a: usize, s: f32, b: usize, t: f32, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(s), vt = f32x4.splat(t);
    for (; i + 4 <= n; i += 4) {
      v128.store(at(out, i), f32x4.add(f32x4.mul(v128.load(at(a, i)), vs), f32x4.mul(v128.load(at(b, i)), vt)));
    }
  }
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(a, i)) * s + load<f32>(at(b, i)) * t);
}

/** out = x * s + t (scalar multiply and add in one pass). */
export function affine(x: usize, out: usize, n: i32, s: f32, t: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(s), vt = f32x4.splat(t);
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.add(f32x4.mul(v128.load(at(x, i)), vs), vt));
  }
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(x, i)) * s + t);
}

// ---- unary ops --------------------------------------------------------------

// exp: backward g * y (mul). log: backward g / x (div).
export function exp(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(at(out, i), Mathf.exp(load<f32>(at(x, i))));
}

export function log(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(at(out, i), Mathf.log(load<f32>(at(x, i))));
}

export function sqrt(x: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.sqrt(v128.load(at(x, i))));
  }
  for (; i < n; i++) store<f32>(at(out, i), Mathf.sqrt(load<f32>(at(x, i))));
}

/** d sqrt(x) = g * 0.5 / y */
export function sqrtBackward(g: usize, y: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const h = f32x4.splat(0.5);
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.div(f32x4.mul(v128.load(at(g, i)), h), v128.load(at(y, i))));
  }
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(g, i)) * 0.5 / load<f32>(at(y, i)));
}

export function powScalar(x: usize, out: usize, n: i32, p: f32): void {
  if (p == 2) {
    mul(x, x, out, n);
    return;
  }
  for (let i = 0; i < n; i++) store<f32>(at(out, i), Mathf.pow(load<f32>(at(x, i)), p));
}

/** d x^p = g * p * x^(p-1) */
export function powScalarBackward(g: usize, x: usize, out: usize, n: i32, p: f32): void {
  for (let i = 0; i < n; i++) {
    const xv = load<f32>(at(x, i));
    const d: f32 = p == 2 ? 2 * xv : p * Mathf.pow(xv, p - 1);
    store<f32>(at(out, i), load<f32>(at(g, i)) * d);
  }
}

export function relu(x: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.max(v128.load(at(x, i)), z));
  }
  // NaN stays NaN, as in the SIMD lanes (f32x4.max) and in PyTorch
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), v <= 0 ? 0 : v);
  }
}

/**
 * relu that also writes mask[i] = 0xff where out[i] > 0, else 0: backward
 * keeps these n bytes instead of the 4n of the output.
 */
export function reluMask(x: usize, out: usize, mask: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      const p = at(x, i), q = at(out, i);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      v128.store(q, f32x4.max(v0, z));
      v128.store(q, f32x4.max(v1, z), 16);
      v128.store(q, f32x4.max(v2, z), 32);
      v128.store(q, f32x4.max(v3, z), 48);
      const lo = i16x8.narrow_i32x4_s(f32x4.gt(v0, z), f32x4.gt(v1, z));
      const hi = i16x8.narrow_i32x4_s(f32x4.gt(v2, z), f32x4.gt(v3, z));
      v128.store(mask + <usize>i, i8x16.narrow_i16x8_s(lo, hi));
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), v <= 0 ? 0 : v);
    store<u8>(mask + <usize>i, v > 0 ? 0xff : 0);
  }
}

/** d relu = g where the byte mask of reluMask is set, else 0. */
export function reluBackwardMask(g: usize, mask: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) {
      const m = v128.load(mask + <usize>i);
      const lo = i16x8.extend_low_i8x16_s(m), hi = i16x8.extend_high_i8x16_s(m);
      const p = at(g, i), q = at(out, i);
      v128.store(q, v128.and(v128.load(p), i32x4.extend_low_i16x8_s(lo)));
      v128.store(q, v128.and(v128.load(p, 16), i32x4.extend_high_i16x8_s(lo)), 16);
      v128.store(q, v128.and(v128.load(p, 32), i32x4.extend_low_i16x8_s(hi)), 32);
      v128.store(q, v128.and(v128.load(p, 48), i32x4.extend_high_i16x8_s(hi)), 48);
    }
  }
  for (; i < n; i++) store<f32>(at(out, i), load<u8>(mask + <usize>i) ? load<f32>(at(g, i)) : 0);
}

export function sigmoid(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    // Two branches so exp never overflows.
    let s: f32;
    if (v >= 0) s = 1 / (1 + Mathf.exp(-v));
    else {
      const e = Mathf.exp(v);
      s = e / (1 + e);
    }
    store<f32>(at(out, i), s);
  }
}

/** d sigmoid = g * y * (1 - y) */
export function sigmoidBackward(g: usize, y: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; i + 4 <= n; i += 4) {
      const yv = v128.load(at(y, i));
      v128.store(at(out, i), f32x4.mul(v128.load(at(g, i)), f32x4.mul(yv, f32x4.sub(one, yv))));
    }
  }
  for (; i < n; i++) {
    const yv = load<f32>(at(y, i));
    store<f32>(at(out, i), load<f32>(at(g, i)) * yv * (1 - yv));
  }
}

export function tanh(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(at(out, i), Mathf.tanh(load<f32>(at(x, i))));
}

/** d tanh = g * (1 - y^2) */
export function tanhBackward(g: usize, y: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; i + 4 <= n; i += 4) {
      const yv = v128.load(at(y, i));
      v128.store(at(out, i), f32x4.mul(v128.load(at(g, i)), f32x4.sub(one, f32x4.mul(yv, yv))));
    }
  }
  for (; i < n; i++) {
    const yv = load<f32>(at(y, i));
    store<f32>(at(out, i), load<f32>(at(g, i)) * (1 - yv * yv));
  }
}

// ---- activations, and their backward from the input x --------------------
// Parameters come after the count. NaN propagates through every forward, as
// in PyTorch.

export function abs(x: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.abs(v128.load(at(x, i))));
  }
  for (; i < n; i++) store<f32>(at(out, i), Mathf.abs(load<f32>(at(x, i))));
}

/** d |x| = g * sgn(x): 0 at 0 and at NaN, as PyTorch's sgn. */
export function absBackward(g: usize, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i)), gv = load<f32>(at(g, i));
    store<f32>(at(out, i), v > 0 ? gv : v < 0 ? -gv : 0);
  }
}

/** min(max(x, lo), hi): lo > hi gives hi everywhere, as PyTorch's clamp. */
export function clamp(x: usize, out: usize, n: i32, lo: f32, hi: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vl = f32x4.splat(lo), vh = f32x4.splat(hi);
    for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.min(f32x4.max(v128.load(at(x, i)), vl), vh));
  }
  for (; i < n; i++) store<f32>(at(out, i), min(max(load<f32>(at(x, i)), lo), hi));
}

/** d clamp = g where lo <= x <= hi, else 0. */
export function clampBackward(g: usize, x: usize, out: usize, n: i32, lo: f32, hi: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vl = f32x4.splat(lo), vh = f32x4.splat(hi);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(at(x, i));
      v128.store(at(out, i), v128.and(v128.load(at(g, i)), v128.and(f32x4.ge(v, vl), f32x4.le(v, vh))));
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), v >= lo && v <= hi ? load<f32>(at(g, i)) : 0);
  }
}

export function leakyRelu(x: usize, out: usize, n: i32, slope: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(slope), z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(at(x, i));
      v128.store(at(out, i), v128.bitselect(v, f32x4.mul(v, s), f32x4.gt(v, z)));
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), v > 0 ? v : v * slope);
  }
}

export function leakyReluBackward(g: usize, x: usize, out: usize, n: i32, slope: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(slope), z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const gv = v128.load(at(g, i));
      v128.store(at(out, i), v128.bitselect(gv, f32x4.mul(gv, s), f32x4.gt(v128.load(at(x, i)), z)));
    }
  }
  for (; i < n; i++) {
    const gv = load<f32>(at(g, i));
    store<f32>(at(out, i), load<f32>(at(x, i)) > 0 ? gv : gv * slope);
  }
}

/** x for x > 0, alpha (e^x - 1) below. */
export function elu(x: usize, out: usize, n: i32, alpha: f32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), v > 0 ? v : alpha * Mathf.expm1(v));
  }
}

export function eluBackward(g: usize, x: usize, out: usize, n: i32, alpha: f32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i)), gv = load<f32>(at(g, i));
    store<f32>(at(out, i), v > 0 ? gv : gv * alpha * Mathf.exp(v));
  }
}

/** erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7: float32's own). */
@inline function erfApprox(x: f32): f32 {
  const a = Mathf.abs(x);
  const t: f32 = 1 / (1 + 0.3275911 * a);
  const p: f32 = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const r: f32 = 1 - p * Mathf.exp(-a * a);
  return x < 0 ? -r : r;
}

/** erf(x), the Gauss error function (ONNX's Erf; PyTorch's torch.erf). */
export function erf(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(at(out, i), erfApprox(load<f32>(at(x, i))));
}

/** d erf(x) = g 2 / sqrt(pi) e^(-x^2). */
export function erfBackward(g: usize, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), load<f32>(at(g, i)) * TWO_OVER_SQRT_PI * Mathf.exp(-v * v));
  }
}

const TWO_OVER_SQRT_PI: f32 = 1.1283791670955126;
const SQRT1_2: f32 = 0.70710678118654752;
const INV_SQRT_2PI: f32 = 0.3989422804014327;
const SQRT_2_PI: f32 = 0.7978845608028654;
const GELU_C: f32 = 0.044715;

/** x Phi(x), Phi the standard normal CDF (GELU with approximate = "none"). */
export function gelu(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), 0.5 * v * (1 + erfApprox(v * SQRT1_2)));
  }
}

/** d x Phi(x) = g (Phi(x) + x phi(x)). */
export function geluBackward(g: usize, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    const cdf: f32 = 0.5 * (1 + erfApprox(v * SQRT1_2));
    store<f32>(at(out, i), load<f32>(at(g, i)) * (cdf + v * INV_SQRT_2PI * Mathf.exp(-0.5 * v * v)));
  }
}

/** 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) (GELU with approximate = "tanh"). */
export function geluTanh(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), 0.5 * v * (1 + Mathf.tanh(SQRT_2_PI * (v + GELU_C * v * v * v))));
  }
}

export function geluTanhBackward(g: usize, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    const t = Mathf.tanh(SQRT_2_PI * (v + GELU_C * v * v * v));
    const d: f32 = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_PI * (1 + 3 * GELU_C * v * v);
    store<f32>(at(out, i), load<f32>(at(g, i)) * d);
  }
}

@inline function sigmoidOf(v: f32): f32 {
  if (v >= 0) return 1 / (1 + Mathf.exp(-v));
  const e = Mathf.exp(v);
  return e / (1 + e);
}

/** x sigmoid(x). */
export function silu(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), v * sigmoidOf(v));
  }
}

/** d x s(x) = g s (1 + x (1 - s)). */
export function siluBackward(g: usize, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    const s = sigmoidOf(v);
    store<f32>(at(out, i), load<f32>(at(g, i)) * s * (1 + v * (1 - s)));
  }
}

/** log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (PyTorch's rule). */
export function softplus(x: usize, out: usize, n: i32, beta: f32, threshold: f32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    const b = beta * v;
    store<f32>(at(out, i), b > threshold ? v : (max(b, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(b)))) / beta);
  }
}

export function softplusBackward(g: usize, x: usize, out: usize, n: i32, beta: f32, threshold: f32): void {
  for (let i = 0; i < n; i++) {
    const b = beta * load<f32>(at(x, i));
    const gv = load<f32>(at(g, i));
    store<f32>(at(out, i), b > threshold ? gv : gv * sigmoidOf(b));
  }
}

// ---- selection ----------------------------------------------------------------

/** out = c != 0 ? a : b (where(); NaN in c counts as true). */
export function select(c: usize, a: usize, b: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<f32>(at(out, i), load<f32>(at(c, i)) != 0 ? load<f32>(at(a, i)) : load<f32>(at(b, i)));
  }
}

/** out = g where (c != 0) == whenTrue, else 0: where()'s gradients. */
export function selectGrad(c: usize, g: usize, out: usize, n: i32, whenTrue: i32): void {
  const t = whenTrue != 0;
  for (let i = 0; i < n; i++) store<f32>(at(out, i), (load<f32>(at(c, i)) != 0) == t ? load<f32>(at(g, i)) : 0);
}
