// The kernel ABI shared by both backends: the exports of the AssemblyScript
// module and the plain-TypeScript twins have exactly these signatures.
// Pointers are byte addresses in the backend's heap; sizes count floats.
// Calls are direct: no arrays are marshalled, nothing is copied.

export interface Kernels {
  // memory.ts
  heapBase(): number;
  fill(out: number, n: number, value: number): void;
  copy(dst: number, src: number, n: number): void;
  transpose2d(src: number, dst: number, rows: number, cols: number): void;
  // elementwise.ts
  add(a: number, b: number, out: number, n: number): void;
  sub(a: number, b: number, out: number, n: number): void;
  mul(a: number, b: number, out: number, n: number): void;
  div(a: number, b: number, out: number, n: number): void;
  axpby(a: number, s: number, b: number, t: number, out: number, n: number): void;
  affine(x: number, out: number, n: number, s: number, t: number): void;
  exp(x: number, out: number, n: number): void;
  log(x: number, out: number, n: number): void;
  sqrt(x: number, out: number, n: number): void;
  sqrtBackward(g: number, y: number, out: number, n: number): void;
  powScalar(x: number, out: number, n: number, p: number): void;
  powScalarBackward(g: number, x: number, out: number, n: number, p: number): void;
  relu(x: number, out: number, n: number): void;
  /** relu, plus mask[i] (bytes) = 0xff where out[i] > 0 */
  reluMask(x: number, out: number, mask: number, n: number): void;
  reluBackwardMask(g: number, mask: number, out: number, n: number): void;
  sigmoid(x: number, out: number, n: number): void;
  sigmoidBackward(g: number, y: number, out: number, n: number): void;
  tanh(x: number, out: number, n: number): void;
  tanhBackward(g: number, y: number, out: number, n: number): void;
  // activations: forward from x, backward from g and x; parameters after the count
  abs(x: number, out: number, n: number): void;
  absBackward(g: number, x: number, out: number, n: number): void;
  clamp(x: number, out: number, n: number, lo: number, hi: number): void;
  clampBackward(g: number, x: number, out: number, n: number, lo: number, hi: number): void;
  leakyRelu(x: number, out: number, n: number, slope: number): void;
  leakyReluBackward(g: number, x: number, out: number, n: number, slope: number): void;
  elu(x: number, out: number, n: number, alpha: number): void;
  eluBackward(g: number, x: number, out: number, n: number, alpha: number): void;
  erf(x: number, out: number, n: number): void;
  erfBackward(g: number, x: number, out: number, n: number): void;
  gelu(x: number, out: number, n: number): void;
  geluBackward(g: number, x: number, out: number, n: number): void;
  geluTanh(x: number, out: number, n: number): void;
  geluTanhBackward(g: number, x: number, out: number, n: number): void;
  silu(x: number, out: number, n: number): void;
  siluBackward(g: number, x: number, out: number, n: number): void;
  softplus(x: number, out: number, n: number, beta: number, threshold: number): void;
  softplusBackward(g: number, x: number, out: number, n: number, beta: number, threshold: number): void;
  /** out = c != 0 ? a : b */
  select(c: number, a: number, b: number, out: number, n: number): void;
  /** out = g where (c != 0) == whenTrue, else 0 */
  selectGrad(c: number, g: number, out: number, n: number, whenTrue: number): void;
  // broadcast.ts
  binaryBroadcast(op: number, a: number, b: number, out: number, meta: number): void;
  sumToShape(x: number, out: number, meta: number): void;
  /** dst[strides b] = src[strides a] over meta's shape: strided reads and writes. */
  copyStrided(src: number, dst: number, meta: number): void;
  // reduce.ts
  sumAll(x: number, out: number, n: number): void;
  sumDim(x: number, out: number, outer: number, n: number, inner: number): void;
  maxDim(x: number, out: number, idx: number, outer: number, n: number, inner: number): void;
  maxDimBackward(g: number, idx: number, out: number, outer: number, n: number, inner: number): void;
  // softmax.ts
  softmax(x: number, out: number, outer: number, n: number, inner: number): void;
  softmaxBackward(g: number, y: number, out: number, outer: number, n: number, inner: number): void;
  logSoftmax(x: number, out: number, outer: number, n: number, inner: number): void;
  logSoftmaxBackward(g: number, y: number, out: number, outer: number, n: number, inner: number): void;
  // gemm.ts
  gemmWorkspaceBytes(): number;
  /** work: a scratch block of gemmWorkspaceBytes() bytes (Backend.gemmWork). */
  sgemm(
    transA: number,
    transB: number,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: number,
    lda: number,
    B: number,
    ldb: number,
    beta: number,
    C: number,
    ldc: number,
    work: number,
  ): void;
  // conv.ts
  im2col(
    x: number,
    col: number,
    ld: number,
    C: number,
    H: number,
    W: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    ph: number,
    pw: number,
    dh: number,
    dw: number,
    OH: number,
    OW: number,
  ): void;
  col2im(
    col: number,
    ld: number,
    dx: number,
    C: number,
    H: number,
    W: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    ph: number,
    pw: number,
    dh: number,
    dw: number,
    OH: number,
    OW: number,
  ): void;
  // pool.ts
  maxPool2d(
    x: number,
    out: number,
    idx: number,
    planes: number,
    H: number,
    W: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    ph: number,
    pw: number,
    OH: number,
    OW: number,
  ): void;
  /** Writes all of dx: g at each window's max (idx from maxPool2d), 0 elsewhere. */
  maxPool2dBackward(
    g: number,
    idx: number,
    dx: number,
    planes: number,
    H: number,
    W: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    ph: number,
    pw: number,
    OH: number,
    OW: number,
  ): void;
  avgPool2d(
    x: number,
    out: number,
    planes: number,
    H: number,
    W: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    ph: number,
    pw: number,
    OH: number,
    OW: number,
  ): void;
  avgPool2dBackward(
    g: number,
    dx: number,
    planes: number,
    H: number,
    W: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    ph: number,
    pw: number,
    OH: number,
    OW: number,
  ): void;
  // loss.ts (targets: i32 class indices)
  crossEntropy(x: number, targets: number, rowLoss: number, grad: number, N: number, C: number): void;
  /** dx[i, :] = grad[i, :] * g[i * gs] * scale (the factor rounded to f32 in Wasm). */
  crossEntropyBackward(g: number, gs: number, grad: number, dx: number, N: number, C: number, scale: number): void;
  nllLoss(x: number, targets: number, rowLoss: number, N: number, C: number): void;
  nllLossBackward(g: number, gs: number, targets: number, dx: number, N: number, C: number, scale: number): void;
  binaryCrossEntropy(p: number, y: number, loss: number, n: number): void;
  binaryCrossEntropyBackward(g: number, gs: number, p: number, y: number, dp: number, n: number, scale: number): void;
  // optim.ts
  sgdStep(
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
  ): void;
  adamStep(
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
  ): void;
  rmspropStep(
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
  ): void;
  adadeltaStep(
    p: number,
    grad: number,
    sq: number,
    acc: number,
    n: number,
    lr: number,
    rho: number,
    eps: number,
    weightDecay: number,
  ): void;
  /** clr: the learning rate after lrDecay. */
  adagradStep(p: number, grad: number, sum: number, n: number, clr: number, eps: number, weightDecay: number): void;
  sumSquares(x: number, n: number): number;
  sumSquaredDiff(a: number, b: number, n: number): number;
  // gather.ts (idx: i32 indices, checked in range by the caller; out of *Add zero-filled by the caller)
  /** out[o, j, :] = src[o, idx[j], :] for src [outer, nSrc, inner], out [outer, nIdx, inner]. */
  indexSelect(src: number, idx: number, out: number, outer: number, nSrc: number, nIdx: number, inner: number): void;
  /** out[o, idx[j], :] += g[o, j, :]: the adjoint of indexSelect. */
  indexAdd(g: number, idx: number, out: number, outer: number, nSrc: number, nIdx: number, inner: number): void;
  /** out[o, j, i] = src[o, idx[o, j, i], i] for idx and out [outer, nIdx, inner]. */
  gatherDim(src: number, idx: number, out: number, outer: number, nSrc: number, nIdx: number, inner: number): void;
  /** out[o, idx[o, j, i], i] += g[o, j, i]: the adjoint of gatherDim. */
  scatterAddDim(g: number, idx: number, out: number, outer: number, nSrc: number, nIdx: number, inner: number): void;
  // norm.ts: batch norm over [outer, C, inner], a run of `channels` from the pointers' first; layer norm over rows of D
  batchNormStats(x: number, mean: number, variance: number, channels: number, outer: number, C: number, inner: number): void;
  channelAffine(x: number, out: number, scale: number, shift: number, channels: number, outer: number, C: number, inner: number): void;
  channelAffine2(
    g: number,
    x: number,
    out: number,
    a: number,
    b: number,
    d: number,
    channels: number,
    outer: number,
    C: number,
    inner: number,
  ): void;
  batchNormBackwardSums(
    g: number,
    x: number,
    mean: number,
    sumG: number,
    sumGX: number,
    channels: number,
    outer: number,
    C: number,
    inner: number,
  ): void;
  /** w and b may be 0 (no elementwise affine). */
  layerNorm(x: number, out: number, mean: number, invstd: number, w: number, b: number, rows: number, D: number, eps: number): void;
  layerNormBackward(g: number, x: number, mean: number, invstd: number, w: number, dx: number, rows: number, D: number): void;
  /** Accumulates into dw and db (db may be 0): zero-filled by the caller. */
  layerNormParamGrads(g: number, x: number, mean: number, invstd: number, dw: number, db: number, rows: number, D: number): void;
  // augment.ts (bytes: uint8 pixels)
  normalizeBytes(bytes: number, out: number, n: number, scale: number, shift: number): void;
  /** Scratch bytes augmentImages needs per thread. */
  augmentWorkBytes(H: number, W: number, radius: number): number;
  /** params: 8 words per image (the affine map as f32, the field's u32 seed, one unused); alpha 0: no elastic field. */
  augmentImages(
    bytes: number,
    out: number,
    params: number,
    count: number,
    H: number,
    W: number,
    scale: number,
    shift: number,
    kernel: number,
    radius: number,
    alpha: number,
    work: number,
  ): void;
}

/** A kernel's name, as ops and thread programs name them (tsc checks each). */
export type KernelName = keyof Kernels;

/** Operation codes of binaryBroadcast (assembly/broadcast.ts). */
export const BIN_ADD = 0;
export const BIN_SUB = 1;
export const BIN_MUL = 2;
export const BIN_DIV = 3;
export const BIN_POW = 4;
export const BIN_COPY_A = 5;
export const BIN_MAX = 6;
export const BIN_MIN = 7;
/** 0 where a < b, 1/2 where a == b, else 1: the share of maximum(a, b)'s gradient that goes to a. */
export const BIN_MAX_SHARE = 8;
/** Comparisons, 1 where true and 0 where false (NaN: false, and unequal). */
export const BIN_EQ = 9;
export const BIN_NE = 10;
export const BIN_GT = 11;
export const BIN_GE = 12;
export const BIN_LT = 13;
export const BIN_LE = 14;

/** Layout of the broadcast meta block (i32 slots), as in assembly/broadcast.ts. */
export const META_MAX_DIMS = 8;
export const META_BYTES = 4 * (1 + 4 * META_MAX_DIMS);
