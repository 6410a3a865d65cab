// An image-classification dataset held as uint8 pixels (MNIST's 60,000
// training images are 47 MB this way; float32 would be four times that).

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
