// DataLoader: seeded shuffling, batches of the dataset's uint8 pixels staged
// in the heap and normalised into reused tensors by a kernel, and optional
// augmentation. The images stay in one uint8 copy (MNIST's 60,000 are 47 MB);
// steady state allocates nothing per batch.
import type { Backend } from "../backend/backend.js";
import { activeBackend } from "../backend/backend.js";
import { Tensor } from "../tensor.js";
import { Block } from "../backend/block.js";
import { keep } from "../tidy.js";
import { nextU32 } from "../random.js";
import type { ImageDataset } from "./dataset.js";
import { DEFAULT_AUGMENT, fillUniform, gaussianKernel, randomAffine, type AugmentOptions } from "./augment.js";

export interface DataLoaderOptions {
  batchSize?: number;
  /** Reshuffle every epoch (default true), from the library's seeded generator. */
  shuffle?: boolean;
  /** Pixels become (p / 255 - mean) / std; default MNIST's 0.1307 and 0.3081. */
  mean?: number;
  std?: number;
  /** true for the defaults, or the parameters. */
  augment?: boolean | AugmentOptions;
  /** Batches of [B, rows * cols] instead of [B, 1, rows, cols]. */
  flat?: boolean;
  /** Skip the last batch if it is smaller (default false). */
  dropLast?: boolean;
}

export interface Batch {
  /** Reused across batches: read it before the next one, never dispose it. */
  x: Tensor;
  /** Class labels (reused too). */
  y: Int32Array;
  size: number;
}

export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  private readonly backend: Backend;
  private readonly stagingBlock: Block; // one batch's uint8 pixels
  private readonly staging: number;
  private disposed = false;
  private readonly pixels: number;
  private readonly order: Int32Array;
  private readonly scratchBlock: Block; // floats: one normalised image, two fields, blur tmp, kernel
  private readonly scratch: number;
  private readonly batches = new Map<number, { x: Tensor; y: Int32Array }>();
  private readonly aug: Required<AugmentOptions> | null;
  private readonly kernel: Float32Array | null;
  private readonly o: Required<Omit<DataLoaderOptions, "augment">>;

  constructor(
    readonly dataset: ImageDataset,
    options: DataLoaderOptions = {},
  ) {
    const batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new TypeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    if (dataset.count < 1) throw new Error("DataLoader: the dataset is empty");
    this.batchSize = batchSize;
    this.o = {
      batchSize,
      shuffle: options.shuffle ?? true,
      mean: options.mean ?? 0.1307,
      std: options.std ?? 0.3081,
      flat: options.flat ?? false,
      dropLast: options.dropLast ?? false,
    };
    this.aug = options.augment ? { ...DEFAULT_AUGMENT, ...(options.augment === true ? {} : options.augment) } : null;
    this.kernel = this.aug?.elastic ? gaussianKernel(this.aug.elastic.sigma) : null;
    this.backend = activeBackend();
    this.pixels = dataset.rows * dataset.cols;
    if (dataset.images.length < dataset.count * this.pixels) {
      throw new Error(
        `DataLoader: ${dataset.images.length} bytes of images for ${dataset.count} images of ${dataset.rows}x${dataset.cols}`,
      );
    }
    this.stagingBlock = Block.alloc(batchSize * this.pixels);
    this.staging = this.stagingBlock.ptr;
    this.scratchBlock = Block.alloc((4 * this.pixels + (this.kernel?.length ?? 0)) * 4);
    this.scratch = this.scratchBlock.ptr;
    this.order = Int32Array.from({ length: dataset.count }, (_, i) => i);
  }

  get length(): number {
    const n = this.dataset.count / this.batchSize;
    return this.o.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** One epoch of batches; each epoch draws a new order when shuffling. */
  *[Symbol.iterator](): Iterator<Batch> {
    if (this.disposed) throw new Error("DataLoader: used after dispose()");
    const n = this.dataset.count;
    if (this.o.shuffle) {
      for (let i = n - 1; i > 0; i--) {
        const j = nextU32() % (i + 1);
        const t = this.order[i];
        this.order[i] = this.order[j];
        this.order[j] = t;
      }
    }
    for (let start = 0; start < n; start += this.batchSize) {
      const size = Math.min(this.batchSize, n - start);
      if (size < this.batchSize && this.o.dropLast) break;
      yield this.fill(start, size);
    }
  }

  private batchFor(size: number): { x: Tensor; y: Int32Array } {
    let b = this.batches.get(size);
    if (b === undefined) {
      const { rows, cols } = this.dataset;
      const x = keep(Tensor._empty(this.o.flat ? [size, rows * cols] : [size, 1, rows, cols]));
      b = { x, y: new Int32Array(size) };
      this.batches.set(size, b);
    }
    return b;
  }

  private fill(start: number, size: number): Batch {
    const b = this.batchFor(size);
    const heap = this.backend.heap,
      k = this.backend.k,
      P = this.pixels,
      images = this.dataset.images;
    for (let i = 0; i < size; i++) {
      const s = this.order[start + i];
      heap.u8.set(images.subarray(s * P, (s + 1) * P), this.staging + i * P);
      b.y[i] = this.dataset.labels[s];
    }
    const scale = 1 / (255 * this.o.std),
      shift = -this.o.mean / this.o.std;
    b.x._written();
    if (this.aug === null) {
      k.normalizeBytes(this.staging, b.x._ptr, size * P, scale, shift);
    } else {
      this.augmentInto(b.x, size, scale, shift);
    }
    return { x: b.x, y: b.y, size };
  }

  private augmentInto(x: Tensor, size: number, scale: number, shift: number): void {
    const { rows, cols } = this.dataset;
    const P = this.pixels,
      heap = this.backend.heap,
      k = this.backend.k;
    const src = this.scratch,
      dx = src + P * 4,
      dy = dx + P * 4,
      tmp = dy + P * 4,
      kern = tmp + P * 4;
    const a = this.aug!;
    if (this.kernel) heap.f32.set(this.kernel, kern >>> 2);
    const radius = this.kernel ? (this.kernel.length - 1) / 2 : 0;
    for (let i = 0; i < size; i++) {
      k.normalizeBytes(this.staging + i * P, src, P, scale, shift);
      const m = randomAffine(a, rows, cols);
      if (a.elastic) {
        fillUniform(heap.f32.subarray(dx >>> 2, (dx >>> 2) + 2 * P));
        k.gaussianBlur(dx, tmp, rows, cols, kern, radius);
        k.gaussianBlur(dy, tmp, rows, cols, kern, radius);
        const alpha = a.elastic.alpha;
        k.affine(dx, dx, 2 * P, alpha, 0);
      }
      // outside the image is background: pixel value 0 after normalising
      k.warpBilinear(
        src,
        x._ptr + i * P * 4,
        rows,
        cols,
        m[0],
        m[1],
        m[2],
        m[3],
        m[4],
        m[5],
        a.elastic ? dx : 0,
        a.elastic ? dy : 0,
        shift,
      );
    }
  }

  /** Frees the heap blocks and the batch tensors. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stagingBlock.free();
    this.scratchBlock.free();
    for (const b of this.batches.values()) b.x.dispose();
    this.batches.clear();
  }
}
