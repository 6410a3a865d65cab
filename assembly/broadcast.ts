// Broadcasting kernels (NumPy rules). The TS side collapses the shapes to at
// most 8 dims and writes them to a small i32 block `meta`:
//   [0] ndim, [1..8] shape, [9..16] stride of operand a, [17..24] stride of
//   operand b (0 where broadcast), [25..32] scratch for the loop counters.
// Strides may be anything (transposes are strided copies through here);
// the vector paths take the common innermost cases 1/1, 1/0 and 0/1.

const BIN_ADD = 0;
const BIN_SUB = 1;
const BIN_MUL = 2;
const BIN_DIV = 3;
const BIN_POW = 4;
/** out = a broadcast to the output shape (b unused): expands a gradient. */
const BIN_COPY_A = 5;
/** maximum and minimum (NaN propagates). */
const BIN_MAX = 6;
const BIN_MIN = 7;
/** The share of maximum(a, b)'s gradient that goes to a: 0 where a < b, 1/2 where equal, else 1. */
const BIN_MAX_SHARE = 8;
/** Comparisons: 1 where true, else 0 (NaN compares false, and unequal). */
const BIN_EQ = 9;
const BIN_NE = 10;
const BIN_GT = 11;
const BIN_GE = 12;
const BIN_LT = 13;
const BIN_LE = 14;

@inline function dim(meta: usize, k: i32): i32 {
  return load<i32>(meta + (<usize>(1 + k) << 2));
}
@inline function strideA(meta: usize, k: i32): i32 {
  return load<i32>(meta + (<usize>(9 + k) << 2));
}
@inline function strideB(meta: usize, k: i32): i32 {
  return load<i32>(meta + (<usize>(17 + k) << 2));
}
@inline function counter(meta: usize, k: i32): usize {
  return meta + (<usize>(25 + k) << 2);
}

@inline function apply(op: i32, x: f32, y: f32): f32 {
  if (op == BIN_ADD) return x + y;
  if (op == BIN_SUB) return x - y;
  if (op == BIN_MUL) return x * y;
  if (op == BIN_DIV) return x / y;
  if (op == BIN_POW) return Mathf.pow(x, y);
  if (op == BIN_MAX) return max(x, y);
  if (op == BIN_MIN) return min(x, y);
  if (op == BIN_MAX_SHARE) return x < y ? 0 : x == y ? 0.5 : 1;
  if (op == BIN_EQ) return x == y ? 1 : 0;
  if (op == BIN_NE) return x != y ? 1 : 0;
  if (op == BIN_GT) return x > y ? 1 : 0;
  if (op == BIN_GE) return x >= y ? 1 : 0;
  if (op == BIN_LT) return x < y ? 1 : 0;
  if (op == BIN_LE) return x <= y ? 1 : 0;
  return x;
}

@inline function applyV(op: i32, x: v128, y: v128): v128 {
  if (op == BIN_ADD) return f32x4.add(x, y);
  if (op == BIN_SUB) return f32x4.sub(x, y);
  if (op == BIN_MUL) return f32x4.mul(x, y);
  if (op == BIN_DIV) return f32x4.div(x, y);
  if (op == BIN_MAX) return f32x4.max(x, y);
  if (op == BIN_MIN) return f32x4.min(x, y);
  // a comparison's all-ones lanes, and-ed with 1.0f
  if (op == BIN_EQ) return v128.and(f32x4.eq(x, y), f32x4.splat(1));
  if (op == BIN_NE) return v128.and(f32x4.ne(x, y), f32x4.splat(1));
  if (op == BIN_GT) return v128.and(f32x4.gt(x, y), f32x4.splat(1));
  if (op == BIN_GE) return v128.and(f32x4.ge(x, y), f32x4.splat(1));
  if (op == BIN_LT) return v128.and(f32x4.lt(x, y), f32x4.splat(1));
  if (op == BIN_LE) return v128.and(f32x4.le(x, y), f32x4.splat(1));
  return x;
}

/** One innermost row; op is a constant after inlining, so each op gets its own loops. */
@inline function row(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (op != BIN_POW && op != BIN_MAX_SHARE) {
      if (sa == 1 && sb == 1) {
        for (; i + 4 <= n; i += 4) {
          const o = <usize>i << 2;
          v128.store(out + o, applyV(op, v128.load(a + o), v128.load(b + o)));
        }
      } else if (sa == 1 && sb == 0) {
        const vb = v128.load32_splat(b);
        for (; i + 4 <= n; i += 4) {
          const o = <usize>i << 2;
          v128.store(out + o, applyV(op, v128.load(a + o), vb));
        }
      } else if (sa == 0 && sb == 1) {
        const va = v128.load32_splat(a);
        for (; i + 4 <= n; i += 4) {
          const o = <usize>i << 2;
          v128.store(out + o, applyV(op, va, v128.load(b + o)));
        }
      } else if (sa == 0 && sb == 0) {
        // one value for the whole row (a bias expanded over a channel's pixels)
        const v = applyV(op, v128.load32_splat(a), v128.load32_splat(b));
        for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), v);
      }
    }
  }
  for (; i < n; i++) {
    store<f32>(out + (<usize>i << 2), apply(op, load<f32>(a + (<usize>(i * sa) << 2)), load<f32>(b + (<usize>(i * sb) << 2))));
  }
}

@inline function run(op: i32, a: usize, b: usize, out: usize, meta: usize): void {
  const nd = load<i32>(meta);
  const n = dim(meta, nd - 1);
  const sa = strideA(meta, nd - 1), sb = strideB(meta, nd - 1);
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) {
    outer *= dim(meta, d);
    store<i32>(counter(meta, d), 0);
  }
  let offA = 0, offB = 0;
  for (let o = 0; o < outer; o++) {
    row(op, a + (<usize>offA << 2), sa, b + (<usize>offB << 2), sb, out + (<usize>o * n << 2), n);
    for (let d = nd - 2; d >= 0; d--) {
      const c = load<i32>(counter(meta, d)) + 1;
      if (c < dim(meta, d)) {
        store<i32>(counter(meta, d), c);
        offA += strideA(meta, d);
        offB += strideB(meta, d);
        break;
      }
      store<i32>(counter(meta, d), 0);
      offA -= strideA(meta, d) * (c - 1);
      offB -= strideB(meta, d) * (c - 1);
    }
  }
}

export function binaryBroadcast(op: i32, a: usize, b: usize, out: usize, meta: usize): void {
  switch (op) {
    case BIN_ADD: run(BIN_ADD, a, b, out, meta); break;
    case BIN_SUB: run(BIN_SUB, a, b, out, meta); break;
    case BIN_MUL: run(BIN_MUL, a, b, out, meta); break;
    case BIN_DIV: run(BIN_DIV, a, b, out, meta); break;
    case BIN_POW: run(BIN_POW, a, b, out, meta); break;
    case BIN_MAX: run(BIN_MAX, a, b, out, meta); break;
    case BIN_MIN: run(BIN_MIN, a, b, out, meta); break;
    case BIN_MAX_SHARE: run(BIN_MAX_SHARE, a, b, out, meta); break;
    case BIN_EQ: run(BIN_EQ, a, b, out, meta); break;
    case BIN_NE: run(BIN_NE, a, b, out, meta); break;
    case BIN_GT: run(BIN_GT, a, b, out, meta); break;
    case BIN_GE: run(BIN_GE, a, b, out, meta); break;
    case BIN_LT: run(BIN_LT, a, b, out, meta); break;
    case BIN_LE: run(BIN_LE, a, b, out, meta); break;
    default: run(BIN_COPY_A, a, b, out, meta); break;
  }
}

/**
 * The adjoint of broadcasting: out (zero-filled by the caller) += x summed over
 * the broadcast dims. meta holds x's shape and, as "stride a", out's strides
 * (0 on the dims being summed away).
 */
export function sumToShape(x: usize, out: usize, meta: usize): void {
  const nd = load<i32>(meta);
  const n = dim(meta, nd - 1);
  const so = strideA(meta, nd - 1);
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) {
    outer *= dim(meta, d);
    store<i32>(counter(meta, d), 0);
  }
  let off = 0;
  for (let o = 0; o < outer; o++) {
    const src = x + (<usize>o * n << 2);
    const dst = out + (<usize>off << 2);
    if (so == 0) {
      let s: f32 = 0;
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        let acc = f32x4.splat(0);
        for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, v128.load(src + (<usize>i << 2)));
        s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      }
      for (; i < n; i++) s += load<f32>(src + (<usize>i << 2));
      store<f32>(dst, load<f32>(dst) + s);
    } else {
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        for (; i + 4 <= n; i += 4) {
          const k = <usize>i << 2;
          v128.store(dst + k, f32x4.add(v128.load(dst + k), v128.load(src + k)));
        }
      }
      for (; i < n; i++) {
        const k = <usize>i << 2;
        store<f32>(dst + k, load<f32>(dst + k) + load<f32>(src + k));
      }
    }
    for (let d = nd - 2; d >= 0; d--) {
      const c = load<i32>(counter(meta, d)) + 1;
      if (c < dim(meta, d)) {
        store<i32>(counter(meta, d), c);
        off += strideA(meta, d);
        break;
      }
      store<i32>(counter(meta, d), 0);
      off -= strideA(meta, d) * (c - 1);
    }
  }
}

/**
 * A strided copy: dst[offsets by "stride b"] = src[offsets by "stride a"]
 * over meta's shape. Unlike binaryBroadcast, whose output is contiguous, the
 * writes are strided too: the one kernel of concatenation, padding, slicing
 * and their gradients, which write into (or read from) a window of a larger
 * tensor.
 */
export function copyStrided(src: usize, dst: usize, meta: usize): void {
  const nd = load<i32>(meta);
  const n = dim(meta, nd - 1);
  const sa = strideA(meta, nd - 1), sb = strideB(meta, nd - 1);
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) {
    outer *= dim(meta, d);
    store<i32>(counter(meta, d), 0);
  }
  let offA = 0, offB = 0;
  for (let o = 0; o < outer; o++) {
    const s = src + (<usize>offA << 2), t = dst + (<usize>offB << 2);
    if (sa == 1 && sb == 1) {
      memory.copy(t, s, <usize>n << 2);
    } else {
      for (let i = 0; i < n; i++) store<f32>(t + (<usize>(i * sb) << 2), load<f32>(s + (<usize>(i * sa) << 2)));
    }
    for (let d = nd - 2; d >= 0; d--) {
      const c = load<i32>(counter(meta, d)) + 1;
      if (c < dim(meta, d)) {
        store<i32>(counter(meta, d), c);
        offA += strideA(meta, d);
        offB += strideB(meta, d);
        break;
      }
      store<i32>(counter(meta, d), 0);
      offA -= strideA(meta, d) * (c - 1);
      offB -= strideB(meta, d) * (c - 1);
    }
  }
}
