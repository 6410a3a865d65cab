// The ops as Tensor methods, PyTorch style (x.matmul(w).relu().sum()),
// attached to the prototype here rather than written in tensor.ts: Tensor
// stays a leaf that ops/ and autograd/ import, and this module, which imports
// them all, is imported once by index.ts. TypeScript learns of the methods by
// declaration merging.
import { Tensor } from "./tensor.js";
import { backward, type BackwardOptions } from "./autograd/backward.js";
import { add, sub, mul, div, pow } from "./ops/binary.js";
import { neg, exp, log, sqrt, relu, sigmoid, tanh } from "./ops/unary.js";
import { sum, mean, max, argmax, min, variance, std, logsumexp } from "./ops/reduce.js";
import { abs, clamp, erf } from "./ops/activation.js";
import { eq, ne, gt, ge, lt, le } from "./ops/compare.js";
import { softmax, logSoftmax } from "./ops/softmax.js";
import { matmul } from "./ops/matmul.js";
import { reshape, flatten, transpose, detach, clone, permute, unsqueeze, squeeze, expand } from "./ops/layout.js";
import { narrow, split, chunk } from "./ops/slice.js";
import { indexSelect, gather, type IndexLike } from "./ops/indexing.js";
import { addInPlace, mulInPlace, fillInPlace, copyInPlace } from "./ops/inplace.js";

declare module "./tensor.js" {
  interface Tensor {
    /**
     * Computes the gradients of this tensor with respect to every leaf that
     * requires grad, accumulating into their .grad. Without `gradient` the
     * tensor must hold one element. Frees the graph unless retainGraph.
     */
    backward(gradient?: Tensor, options?: BackwardOptions): void;
    add(other: Tensor | number): Tensor;
    sub(other: Tensor | number): Tensor;
    mul(other: Tensor | number): Tensor;
    div(other: Tensor | number): Tensor;
    pow(exponent: Tensor | number): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    matmul(other: Tensor): Tensor;
    sum(dim?: number, keepDim?: boolean): Tensor;
    mean(dim?: number, keepDim?: boolean): Tensor;
    max(dim?: number, keepDim?: boolean): Tensor;
    argmax(dim?: number, keepDim?: boolean): Tensor;
    min(dim?: number, keepDim?: boolean): Tensor;
    /** sum((x - mean)^2) / (n - correction) (correction 1 by default, as PyTorch). */
    var(dim?: number, keepDim?: boolean, correction?: number): Tensor;
    std(dim?: number, keepDim?: boolean, correction?: number): Tensor;
    logsumexp(dim: number, keepDim?: boolean): Tensor;
    abs(): Tensor;
    erf(): Tensor;
    /** Comparisons with broadcasting: 1 where true, 0 where false (float32 tensors; no gradient). */
    eq(other: Tensor | number): Tensor;
    ne(other: Tensor | number): Tensor;
    gt(other: Tensor | number): Tensor;
    ge(other: Tensor | number): Tensor;
    lt(other: Tensor | number): Tensor;
    le(other: Tensor | number): Tensor;
    /** min(max(x, min), max); leave a bound out with null or undefined. */
    clamp(min?: number | null, max?: number | null): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    reshape(shape: number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    detach(): Tensor;
    clone(): Tensor;
    /** The dims in a new order: x.permute(0, 2, 1) or x.permute([0, 2, 1]). */
    permute(...dims: (number | readonly number[])[]): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    /** Broadcast to sizes (-1 keeps a dim): x.expand(4, -1) or x.expand([4, -1]). */
    expand(...sizes: (number | readonly number[])[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    split(sizeOrSizes: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    indexSelect(dim: number, index: IndexLike): Tensor;
    gather(dim: number, index: IndexLike): Tensor;
    // In-place updates (PyTorch's trailing underscore): never recorded; allowed
    // on tensors that require grad only under noGrad (optimizer steps).
    /** this += alpha * other */
    add_(other: Tensor | number, alpha?: number): this;
    /** this -= alpha * other */
    sub_(other: Tensor | number, alpha?: number): this;
    mul_(factor: number): this;
    fill_(value: number): this;
    zero_(): this;
    copy_(src: Tensor): this;
  }
}

const methods: ThisType<Tensor> & Partial<Tensor> = {
  backward(gradient?: Tensor, options?: BackwardOptions) {
    backward(this, gradient, options);
  },
  add(other: Tensor | number) {
    return add(this, other);
  },
  sub(other: Tensor | number) {
    return sub(this, other);
  },
  mul(other: Tensor | number) {
    return mul(this, other);
  },
  div(other: Tensor | number) {
    return div(this, other);
  },
  pow(exponent: Tensor | number) {
    return pow(this, exponent);
  },
  neg() {
    return neg(this);
  },
  exp() {
    return exp(this);
  },
  log() {
    return log(this);
  },
  sqrt() {
    return sqrt(this);
  },
  relu() {
    return relu(this);
  },
  sigmoid() {
    return sigmoid(this);
  },
  tanh() {
    return tanh(this);
  },
  matmul(other: Tensor) {
    return matmul(this, other);
  },
  sum(dim?: number, keepDim = false) {
    return sum(this, dim, keepDim);
  },
  mean(dim?: number, keepDim = false) {
    return mean(this, dim, keepDim);
  },
  max(dim?: number, keepDim = false) {
    return max(this, dim, keepDim);
  },
  argmax(dim?: number, keepDim = false) {
    return argmax(this, dim, keepDim);
  },
  min(dim?: number, keepDim = false) {
    return min(this, dim, keepDim);
  },
  var(dim?: number, keepDim = false, correction = 1) {
    return variance(this, dim, keepDim, correction);
  },
  std(dim?: number, keepDim = false, correction = 1) {
    return std(this, dim, keepDim, correction);
  },
  logsumexp(dim: number, keepDim = false) {
    return logsumexp(this, dim, keepDim);
  },
  abs() {
    return abs(this);
  },
  erf() {
    return erf(this);
  },
  eq(other: Tensor | number) {
    return eq(this, other);
  },
  ne(other: Tensor | number) {
    return ne(this, other);
  },
  gt(other: Tensor | number) {
    return gt(this, other);
  },
  ge(other: Tensor | number) {
    return ge(this, other);
  },
  lt(other: Tensor | number) {
    return lt(this, other);
  },
  le(other: Tensor | number) {
    return le(this, other);
  },
  clamp(min?: number | null, max?: number | null) {
    return clamp(this, min, max);
  },
  softmax(dim = -1) {
    return softmax(this, dim);
  },
  logSoftmax(dim = -1) {
    return logSoftmax(this, dim);
  },
  reshape(shape: number[]) {
    return reshape(this, shape);
  },
  flatten(startDim = 0, endDim = -1) {
    return flatten(this, startDim, endDim);
  },
  transpose(dim0 = 0, dim1 = 1) {
    return transpose(this, dim0, dim1);
  },
  detach() {
    return detach(this);
  },
  clone() {
    return clone(this);
  },
  permute(...dims: (number | readonly number[])[]) {
    return permute(this, ...dims);
  },
  unsqueeze(dim: number) {
    return unsqueeze(this, dim);
  },
  squeeze(dim?: number | readonly number[]) {
    return squeeze(this, dim);
  },
  expand(...sizes: (number | readonly number[])[]) {
    return expand(this, ...sizes);
  },
  narrow(dim: number, start: number, length: number) {
    return narrow(this, dim, start, length);
  },
  split(sizeOrSizes: number | readonly number[], dim = 0) {
    return split(this, sizeOrSizes, dim);
  },
  chunk(chunks: number, dim = 0) {
    return chunk(this, chunks, dim);
  },
  indexSelect(dim: number, index: IndexLike) {
    return indexSelect(this, dim, index);
  },
  gather(dim: number, index: IndexLike) {
    return gather(this, dim, index);
  },
  add_(other: Tensor | number, alpha = 1) {
    addInPlace(this, other, alpha);
    return this;
  },
  sub_(other: Tensor | number, alpha = 1) {
    addInPlace(this, other, -alpha);
    return this;
  },
  mul_(factor: number) {
    mulInPlace(this, factor);
    return this;
  },
  fill_(value: number) {
    fillInPlace(this, value);
    return this;
  },
  zero_() {
    fillInPlace(this, 0);
    return this;
  },
  copy_(src: Tensor) {
    copyInPlace(this, src);
    return this;
  },
};

// Non-enumerable, as class methods are.
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
