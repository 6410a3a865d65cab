// The heap both backends compute in: one growable linear memory, typed views
// over it, and an allocator that owns the layout (kernels never allocate).
//
// Freed blocks are merged with free neighbours and handed out again best-fit,
// so a training loop that allocates the same shapes every step stops growing
// the memory after its first step. Views are rebuilt here, right after a
// grow, the only place the memory changes size.

import { binaryBytes } from "../format.js";

const PAGE = 65536;

/** What the heap needs of its memory: a WebAssembly.Memory, or ArrayMemory below. */
export interface GrowableMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** A growable buffer for the js backend, so it needs no WebAssembly at all. */
export class ArrayMemory implements GrowableMemory {
  buffer: ArrayBuffer;
  constructor(
    pages: number,
    private readonly maximum = 65536,
  ) {
    this.buffer = new ArrayBuffer(pages * PAGE);
  }
  grow(pages: number): number {
    const old = this.buffer.byteLength / PAGE;
    if (old + pages > this.maximum) throw new RangeError("ArrayMemory: maximum size exceeded");
    const next = new ArrayBuffer((old + pages) * PAGE);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
    return old;
  }
}
const ALIGN = 64; // a cache line; also keeps every block v128-aligned

/** The most the heap's memory may hold, for the out-of-memory message: what sets it, and how to get more. */
export interface HeapLimit {
  bytes: number;
  /** Completes "the heap is limited to <size> by ...": what sets the limit. */
  by: string;
  /** What to do besides freeing tensors, if anything. */
  hint?: string;
}

/** The wasm32 address space, the js backend's ArrayMemory default too. */
export const WASM32_LIMIT: HeapLimit = { bytes: 2 ** 32, by: "32-bit Wasm addresses" };

/** Bytes a request of `bytes` occupies: rounded up to whole cache lines. */
export function blockSize(bytes: number): number {
  return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
}

/**
 * Best-fit allocation over free blocks kept in address order, merged with
 * their neighbours when freed, and a bump pointer above them. A training step
 * allocates and frees the same sequence every time, so from the second step
 * on the layout repeats and the memory stops growing; merging keeps the high
 * water mark near the peak of live bytes (size-class lists without merging
 * held a third more here: a 6.4 MB activation freed early could not serve
 * two 3.2 MB ones later).
 */
export class Heap {
  f32!: Float32Array;
  i32!: Int32Array;
  u8!: Uint8Array;
  /** Called after the views were rebuilt (the JS kernels hold their own views). */
  onGrow: (() => void) | null = null;
  private top: number;
  private high = 0;
  private readonly freeStart: number[] = []; // ascending addresses
  private readonly freeSize: number[] = [];
  /** At least the largest free block: a request above it skips the scan. */
  private maxFree = 0;

  constructor(
    readonly memory: GrowableMemory,
    base: number,
    readonly limit: HeapLimit = WASM32_LIMIT,
  ) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.refreshViews();
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** The end of the highest block ever handed out: the bytes of memory touched so far. */
  get highWater(): number {
    return this.high;
  }

  /**
   * A block of at least `bytes` bytes, 64-byte aligned; contents undefined.
   * `shape`, when the block is a tensor's, names it in an out-of-memory error.
   */
  alloc(bytes: number, shape?: readonly number[]): number {
    // an op that computed a size from NaN or a negative count must not move the bump pointer
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      throw new Error(`heap: cannot allocate ${bytes} bytes${shape ? ` for shape [${shape.join(",")}]` : ""}`);
    const size = blockSize(bytes);
    const starts = this.freeStart,
      sizes = this.freeSize;
    let best = -1;
    if (size <= this.maxFree) {
      let largest = 0;
      for (let i = 0; i < starts.length; i++) {
        largest = Math.max(largest, sizes[i]);
        if (sizes[i] >= size && (best < 0 || sizes[i] < sizes[best])) {
          best = i;
          if (sizes[i] === size) break;
        }
      }
      if (best < 0) this.maxFree = largest; // a full scan found none: now exact
    }
    if (best >= 0) {
      const ptr = starts[best];
      if (sizes[best] === size) {
        starts.splice(best, 1);
        sizes.splice(best, 1);
      } else {
        starts[best] += size;
        sizes[best] -= size;
      }
      return ptr;
    }
    const ptr = this.top;
    if (ptr + size > this.memory.buffer.byteLength) this.grow(ptr + size, bytes, shape);
    this.top = ptr + size;
    this.high = Math.max(this.high, this.top);
    return ptr;
  }

  free(ptr: number, bytes: number): void {
    let size = blockSize(bytes);
    const starts = this.freeStart,
      sizes = this.freeSize;
    let lo = 0,
      hi = starts.length; // first free block above ptr
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < ptr) lo = mid + 1;
      else hi = mid;
    }
    let start = ptr;
    if (lo > 0 && starts[lo - 1] + sizes[lo - 1] === ptr) {
      lo--;
      start = starts[lo];
      size += sizes[lo];
      starts.splice(lo, 1);
      sizes.splice(lo, 1);
    }
    if (lo < starts.length && starts[lo] === start + size) {
      size += sizes[lo];
      starts.splice(lo, 1);
      sizes.splice(lo, 1);
    }
    if (start + size === this.top) {
      this.top = start; // the block below the bump pointer rejoins it
      return;
    }
    starts.splice(lo, 0, start);
    sizes.splice(lo, 0, size);
    this.maxFree = Math.max(this.maxFree, size);
  }

  private grow(needed: number, bytes: number, shape?: readonly number[]): void {
    const have = this.memory.buffer.byteLength;
    // Grow by at least a quarter so a growing workload reallocates rarely.
    const want = Math.min(Math.max(needed, have + (have >>> 2)), this.limit.bytes);
    try {
      if (needed > this.limit.bytes) throw new RangeError("over the limit");
      this.memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        if (needed > this.limit.bytes) throw new RangeError("over the limit");
        this.memory.grow(Math.ceil((needed - have) / PAGE));
      } catch {
        const what = shape ? `a float32 tensor of shape [${shape.join(",")}] (${bytes} bytes)` : `${bytes} bytes`;
        const why =
          needed > this.limit.bytes
            ? `the heap is limited to ${binaryBytes(this.limit.bytes)} by ${this.limit.by}`
            : `the runtime refused more memory below the heap's limit of ${binaryBytes(this.limit.bytes)} (set by ${this.limit.by})`;
        throw new Error(
          `out of memory: cannot allocate ${what}: the heap would grow from ${have} to ${needed} bytes, and ${why}; ` +
            `dispose tensors or use tidy()${this.limit.hint ? `, or ${this.limit.hint}` : ""}`,
        );
      }
    }
    this.refreshViews();
  }

  private refreshViews(): void {
    const buf = this.memory.buffer;
    this.f32 = new Float32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u8 = new Uint8Array(buf);
    this.onGrow?.();
  }
}
