// DataLoader: seeded shuffling, batches of the dataset's uint8 pixels staged
// in the heap and normalised into reused tensors by a kernel, and optional
// augmentation. The images stay in one uint8 copy (MNIST's 60,000 are 47 MB);
// steady state allocates nothing per batch. Over a TensorDataset, each
// batch's rows are gathered from the user's tensors by the indexSelect kernel.
import type { Backend } from "../backend/backend.js";
import { activeBackend } from "../backend/backend.js";
import { Tensor } from "../tensor.js";
import { Block } from "../backend/block.js";
import { keep } from "../tidy.js";
import { nextU32 } from "../random.js";
import { TensorDataset, type ImageDataset } from "./dataset.js";
import { AUG_TAPS_BYTES, AUGMENT_WEIGHT, DEFAULT_AUGMENT, gaussianKernel, randomAffine, type AugmentOptions } from "./augment.js";
import { itemRuns, runPrograms } from "../backend/parallel.js";
import type { Call } from "../backend/threads/protocol.js";

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
  /** Class labels, or a TensorDataset's target rows (reused too). */
  y: Int32Array;
  size: number;
}

/** A batch of a TensorDataset whose y is a target tensor. */
export interface TargetBatch {
  x: Tensor;
  y: Tensor;
  size: number;
}

/** The batches a loader over D yields: targets for a TensorDataset of target tensors, else class labels. */
export type BatchOf<D> = D extends TensorDataset<infer Y> ? (Y extends Tensor ? TargetBatch : Batch) : Batch;

/** The samples an image dataset's batches are staged from, or null for a TensorDataset. */
type Staging = { block: Block; scratch: Block } | null;

export class DataLoader<D extends ImageDataset | TensorDataset<Int32Array | Tensor> = ImageDataset> implements Iterable<BatchOf<D>> {
  readonly batchSize: number;
  private readonly backend: Backend;
  private readonly staging: number;
  private readonly blocks: Staging;
  private disposed = false;
  private readonly pixels: number;
  private readonly order: Int32Array;
  /** One batch's sample indices (i32), for a TensorDataset's gathers. */
  private readonly indexBlock: Block | null;
  private readonly scratch: number;
  /** Bytes of one thread's augmentImages scratch (a multiple of 16). */
  private readonly workBytes: number = 0;
  private readonly batches = new Map<number, { x: Tensor; y: Int32Array | Tensor }>();
  private readonly aug: Required<AugmentOptions> | null;
  private readonly kernel: Float32Array | null;
  private readonly o: Required<Omit<DataLoaderOptions, "augment">>;

  constructor(
    readonly dataset: D,
    options: DataLoaderOptions = {},
  ) {
    const batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new TypeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    if (dataset.count < 1) throw new Error("DataLoader: the dataset is empty");
    this.batchSize = batchSize;
    if (dataset instanceof TensorDataset) {
      const imageOnly = (["mean", "std", "augment", "flat"] as const).filter((k) => options[k] !== undefined);
      if (imageOnly.length > 0) {
        throw new TypeError(`DataLoader: ${imageOnly.join(", ")} apply to image datasets; a TensorDataset's tensors are used as they are`);
      }
      dataset.x._check();
      if (dataset.y instanceof Tensor) dataset.y._check();
    }
    this.o = {
      batchSize,
      shuffle: options.shuffle ?? true,
      mean: options.mean ?? 0.1307,
      std: options.std ?? 0.3081,
      flat: options.flat ?? false,
      dropLast: options.dropLast ?? false,
    };
    this.aug = options.augment ? { ...DEFAULT_AUGMENT, ...(options.augment === true ? {} : options.augment) } : null;
    const elastic = this.aug?.elastic;
    if (elastic && !(elastic.sigma > 0 && elastic.sigma <= 10 && Number.isFinite(elastic.alpha))) {
      throw new TypeError(`DataLoader: augment.elastic needs sigma in (0, 10] and a finite alpha, got ${JSON.stringify(elastic)}`);
    }
    this.kernel = elastic ? gaussianKernel(elastic.sigma) : null;
    this.backend = activeBackend();
    this.order = Int32Array.from({ length: dataset.count }, (_, i) => i);
    if (dataset instanceof TensorDataset) {
      this.pixels = 0;
      this.blocks = null;
      this.staging = this.scratch = 0;
      this.indexBlock = Block.alloc(batchSize * 4);
      return;
    }
    const images = dataset as ImageDataset;
    this.pixels = images.rows * images.cols;
    if (images.images.length < images.count * this.pixels) {
      throw new Error(`DataLoader: ${images.images.length} bytes of images for ${images.count} images of ${images.rows}x${images.cols}`);
    }
    this.indexBlock = null;
    // with augmentation: the blur's taps, 8 words of parameters per image, and each thread's augmentImages scratch
    const work = this.aug ? this.backend.k.augmentWorkBytes(images.rows, images.cols, this.radius()) : 0;
    this.workBytes = Math.ceil(work / 16) * 16;
    this.blocks = {
      block: Block.alloc(batchSize * this.pixels), // one batch's uint8 pixels
      scratch: Block.alloc(this.aug ? AUG_TAPS_BYTES + 32 * batchSize + this.backend.threads * this.workBytes : 4),
    };
    this.staging = this.blocks.block.ptr;
    this.scratch = this.blocks.scratch.ptr;
  }

  get length(): number {
    const n = this.dataset.count / this.batchSize;
    return this.o.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** One epoch of batches; each epoch draws a new order when shuffling. */
  *[Symbol.iterator](): Iterator<BatchOf<D>> {
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
      yield (this.dataset instanceof TensorDataset ? this.gather(this.dataset, start, size) : this.fill(start, size)) as BatchOf<D>;
    }
  }

  private batchFor(size: number, make: () => { x: Tensor; y: Int32Array | Tensor }): { x: Tensor; y: Int32Array | Tensor } {
    let b = this.batches.get(size);
    if (b === undefined) {
      b = make();
      this.batches.set(size, b);
    }
    return b;
  }

  /** A TensorDataset's batch: the rows of x (and of y's targets) at the epoch's order, gathered by kernel. */
  private gather(d: TensorDataset<Int32Array | Tensor>, start: number, size: number): Batch | TargetBatch {
    const rowsOf = (t: Tensor) => [size, ...t.shape.slice(1)];
    const b = this.batchFor(size, () => ({
      x: keep(Tensor._empty(rowsOf(d.x))),
      y: d.y instanceof Tensor ? keep(Tensor._empty(rowsOf(d.y))) : new Int32Array(size),
    }));
    const idx = this.indexBlock!;
    idx.i32().set(this.order.subarray(start, start + size));
    const k = this.backend.k;
    for (const [src, dst] of [[d.x, b.x], ...(d.y instanceof Tensor ? [[d.y, b.y as Tensor]] : [])] as [Tensor, Tensor][]) {
      dst._written();
      k.indexSelect(src._ptr, idx.ptr, dst._ptr, 1, d.count, size, dst.size / size);
    }
    if (!(d.y instanceof Tensor)) {
      const y = b.y as Int32Array;
      for (let i = 0; i < size; i++) y[i] = d.y[this.order[start + i]];
    }
    return { x: b.x, y: b.y, size } as Batch | TargetBatch;
  }

  private fill(start: number, size: number): Batch {
    const dataset = this.dataset as ImageDataset;
    const { rows, cols } = dataset;
    const b = this.batchFor(size, () => ({
      x: keep(Tensor._empty(this.o.flat ? [size, rows * cols] : [size, 1, rows, cols])),
      y: new Int32Array(size),
    })) as { x: Tensor; y: Int32Array };
    const heap = this.backend.heap,
      k = this.backend.k,
      P = this.pixels,
      images = dataset.images;
    for (let i = 0; i < size; i++) {
      const s = this.order[start + i];
      heap.u8.set(images.subarray(s * P, (s + 1) * P), this.staging + i * P);
      b.y[i] = dataset.labels[s];
    }
    const scale = 1 / (255 * this.o.std),
      shift = -this.o.mean / this.o.std;
    b.x._written();
    if (this.aug === null) {
      k.normalizeBytes(this.staging, b.x._ptr, size * P, scale, shift);
    } else {
      this.augmentInto(b.x, b.y as Int32Array, size, scale, shift);
    }
    return { x: b.x, y: b.y, size };
  }

  /** The elastic blur's radius (0 without elastic distortion). */
  private radius(): number {
    return this.kernel ? (this.kernel.length - 1) / 2 : 0;
  }

  /**
   * The batch's augmented images: each image's affine map and field seed
   * drawn here from the library's generator, in image order, then the
   * images split over threads (augmentImages: the pixel work and the fields'
   * random values), so a seed gives the same batch on any thread count.
   */
  private augmentInto(x: Tensor, labels: Int32Array, size: number, scale: number, shift: number): void {
    const { rows, cols } = this.dataset as ImageDataset;
    const P = this.pixels,
      be = this.backend,
      heap = be.heap;
    const kern = this.scratch,
      params = kern + AUG_TAPS_BYTES,
      work = params + 32 * this.batchSize;
    const a = this.aug!;
    if (this.kernel) heap.f32.set(this.kernel, kern >>> 2);
    for (let i = 0; i < size; i++) {
      const q = (params >>> 2) + 8 * i;
      const limits = a.classes[labels[i]];
      heap.f32.set(randomAffine(limits ? { ...a, ...limits } : a, rows, cols), q);
      heap.i32[q + 6] = a.elastic ? nextU32() : 0;
    }
    const alpha = a.elastic ? a.elastic.alpha : 0;
    runPrograms(
      be,
      itemRuns(size, size * P * AUGMENT_WEIGHT, be.threads).map(([i0, count], t): Call[] => [
        [
          "augmentImages",
          this.staging + i0 * P,
          x._ptr + i0 * P * 4,
          params + 32 * i0,
          count,
          rows,
          cols,
          scale,
          shift,
          kern,
          this.radius(),
          alpha,
          work + t * this.workBytes,
        ],
      ]),
    );
  }

  /** The order the next epoch reshuffles from (shuffling permutes the last epoch's order), to save with a checkpoint. */
  stateDict(): { order: number[] } {
    return { order: Array.from(this.order) };
  }

  /** Takes the order of stateDict(): with the generator's state, the next epochs repeat the saved run's. */
  loadStateDict(state: { order: number[] }): void {
    const order = state?.order;
    const n = this.dataset.count;
    const seen = new Uint8Array(n);
    if (!Array.isArray(order) || order.length !== n || !order.every((i) => Number.isInteger(i) && i >= 0 && i < n && seen[i]++ === 0))
      throw new Error(`DataLoader.loadStateDict: order must be a permutation of the dataset's ${n} indices, as stateDict() gives`);
    this.order.set(order);
  }

  /** Frees the heap blocks and the batch tensors. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.blocks?.block.free();
    this.blocks?.scratch.free();
    this.indexBlock?.free();
    for (const b of this.batches.values()) {
      b.x.dispose();
      if (b.y instanceof Tensor) b.y.dispose();
    }
    this.batches.clear();
  }
}
