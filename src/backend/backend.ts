// A backend is a heap plus the kernels that compute in it. `init()` picks
// one; every tensor remembers the backend it lives in.
import type { Kernels } from "./kernels.js";
import { META_BYTES } from "./kernels.js";
import { Heap, type GrowableMemory, type HeapLimit } from "./heap.js";
import type { Pool } from "./threads/protocol.js";

export type BackendName = "wasm-relaxed-simd" | "wasm-simd" | "wasm-scalar" | "js";

export class Backend {
  readonly heap: Heap;
  /** A small i32 block the ops layer writes shapes and strides into (see kernels.ts); the caller's of metas. */
  readonly meta: number;
  /** Scratch for sgemm's packed panels, allocated once: the caller's (gemmWorks[0]). */
  readonly gemmWork: number;
  /** One sgemm scratch block per thread (gemmWorks[t] for thread t). */
  readonly gemmWorks: number[];
  /** One meta block per thread (the broadcast kernels keep their counters in it). */
  readonly metas: number[];
  /** Threads the kernel-call layer (parallel.ts) may split work over; 1 without a pool. */
  threads = 1;
  pool: Pool | null = null;
  /** Live tensor handles and the bytes of their storages, for memory(). */
  liveTensors = 0;
  liveBytes = 0;
  disposed = false;

  constructor(
    readonly name: BackendName,
    readonly k: Kernels,
    memory: GrowableMemory,
    limit?: HeapLimit,
  ) {
    this.heap = new Heap(memory, k.heapBase(), limit);
    this.meta = this.heap.alloc(META_BYTES);
    this.gemmWork = this.heap.alloc(k.gemmWorkspaceBytes());
    this.gemmWorks = [this.gemmWork];
    this.metas = [this.meta];
  }

  /** Gives the backend a started pool (and the scratch its threads need). */
  attach(pool: Pool): void {
    this.pool = pool;
    this.threads = pool.threads;
    while (this.gemmWorks.length < pool.threads) this.gemmWorks.push(this.heap.alloc(this.k.gemmWorkspaceBytes()));
    while (this.metas.length < pool.threads) this.metas.push(this.heap.alloc(META_BYTES));
  }
}

let current: Backend | null = null;

/** The active backend; throws a clear error before init(). */
export function activeBackend(): Backend {
  if (current === null) throw new Error("wasmgrad: call `await init()` before using tensors");
  return current;
}

export function setActiveBackend(b: Backend): void {
  if (current !== null) {
    current.disposed = true;
    current.pool?.stop();
  }
  current = b;
}

/** How many threads the active backend computes on (1 unless init() started a pool). */
export function getThreads(): number {
  return activeBackend().threads;
}

/** Which backend init() chose: "wasm-relaxed-simd" | "wasm-simd" | "wasm-scalar" | "js". */
export function getBackend(): BackendName {
  return activeBackend().name;
}
