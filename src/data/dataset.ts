// An image-classification dataset held as uint8 pixels (MNIST's 60,000
// training images are 47 MB this way; float32 would be four times that), and
// a dataset of a user's own tensors.
import { isTensor, type Tensor } from "../tensor.js";
import { keep } from "../tidy.js";
import { describe, fmtShape } from "../shape.js";

export interface ImageDataset {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export function makeDataset(
  images: Uint8Array,
  imageShape: number[],
  labels: Uint8Array,
  labelShape: number[],
  name: string,
): ImageDataset {
  if (imageShape.length !== 3) throw new Error(`${name}: image file has shape [${imageShape.join("x")}], expected [count x rows x cols]`);
  if (labelShape.length !== 1) throw new Error(`${name}: label file has shape [${labelShape.join("x")}], expected [count]`);
  const [count, rows, cols] = imageShape;
  if (labelShape[0] !== count) throw new Error(`${name}: ${count} images but ${labelShape[0]} labels`);
  return { images, labels, count, rows, cols };
}

/** The first n samples (a copy-free view). */
export function subset(d: ImageDataset, n: number): ImageDataset {
  const k = Math.min(n, d.count);
  return { ...d, count: k, images: d.images.subarray(0, k * d.rows * d.cols), labels: d.labels.subarray(0, k) };
}

/**
 * A user's own data for the DataLoader and fit(): inputs x [N, ...] (features,
 * or images of any channel count) and, per sample, a class label (y as an
 * Int32Array or number array, for the default cross-entropy loss and
 * accuracy) or a target (y as a tensor [N, ...], for a loss of one's own).
 * The tensors are used as they are, not copied: keep them alive while the
 * dataset is in use.
 */
export class TensorDataset<Y extends Int32Array | Tensor = Int32Array> {
  readonly count: number;
  readonly y: Y;
  constructor(
    readonly x: Tensor,
    y: Y | readonly number[],
  ) {
    if (!isTensor(x)) throw new TypeError(`TensorDataset: x must be a Tensor [N, ...], got ${describe(x)}`);
    x._check();
    if (x.shape.length === 0) throw new Error("TensorDataset: x must have a first dim of samples, got a 0-d tensor");
    this.count = x.shape[0];
    if (isTensor(y)) {
      y._check();
      if (y.shape.length === 0 || y.shape[0] !== this.count) {
        throw new Error(`TensorDataset: targets ${fmtShape(y.shape)} must have one row per sample of x ${fmtShape(x.shape)}`);
      }
      this.y = keep(y) as Y;
    } else if (y instanceof Int32Array || Array.isArray(y)) {
      if (y.length !== this.count) throw new Error(`TensorDataset: ${y.length} labels for ${this.count} samples of x ${fmtShape(x.shape)}`);
      const labels = Int32Array.from(y as ArrayLike<number>);
      labels.forEach((v, i) => {
        if (v !== (y as ArrayLike<number>)[i] || v < 0)
          throw new TypeError(`TensorDataset: label ${i} is ${(y as ArrayLike<number>)[i]}, not a class index`);
      });
      this.y = labels as Y;
    } else {
      throw new TypeError(`TensorDataset: y must be class labels (an Int32Array or number array) or a target Tensor, got ${describe(y)}`);
    }
    keep(x);
  }
}
