// The heap both backends compute in: one growable linear memory, typed views
// over it, and an allocator that owns the layout (kernels never allocate).
//
// Freed blocks go to per-size-class free lists and are handed out again, so a
// training loop that allocates the same shapes every step stops growing the
// memory after its first steps. Views are rebuilt here, right after a grow,
// the only place the memory changes size.

const PAGE = 65536;

/** What the heap needs of its memory: a WebAssembly.Memory, or ArrayMemory below. */
export interface GrowableMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** A growable buffer for the js backend, so it needs no WebAssembly at all. */
export class ArrayMemory implements GrowableMemory {
  buffer: ArrayBuffer;
  constructor(pages: number, private readonly maximum = 65536) {
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

/** Rounds a request up to its size class: multiples of 64 bytes up to 1 KiB,
 *  then four classes per power of two (at most 25% waste). */
export function sizeClass(bytes: number): number {
  if (bytes <= 1024) return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  const pow = 2 ** Math.floor(Math.log2(bytes));
  const step = pow / 4;
  return Math.ceil(bytes / step) * step;
}

export class Heap {
  f32!: Float32Array;
  i32!: Int32Array;
  u8!: Uint8Array;
  /** Called after the views were rebuilt (the JS kernels hold their own views). */
  onGrow: (() => void) | null = null;
  private top: number;
  private readonly freeLists = new Map<number, number[]>();

  constructor(readonly memory: GrowableMemory, base: number) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.refreshViews();
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** A block of at least `bytes` bytes, 64-byte aligned; contents undefined. */
  alloc(bytes: number): number {
    const size = sizeClass(bytes);
    const list = this.freeLists.get(size);
    if (list && list.length > 0) return list.pop()!;
    const ptr = this.top;
    if (ptr + size > this.memory.buffer.byteLength) this.grow(ptr + size);
    this.top = ptr + size;
    return ptr;
  }

  free(ptr: number, bytes: number): void {
    const size = sizeClass(bytes);
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
  }

  private grow(needed: number): void {
    const have = this.memory.buffer.byteLength;
    // Grow by at least a quarter so a growing workload reallocates rarely.
    const want = Math.max(needed, have + (have >>> 2));
    const pages = Math.ceil((want - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      try {
        this.memory.grow(Math.ceil((needed - have) / PAGE));
      } catch {
        throw new Error(
          `out of memory: cannot grow the heap from ${have} to ${needed} bytes ` +
            `(the 32-bit Wasm limit is 4 GiB; dispose tensors or use tidy())`,
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
