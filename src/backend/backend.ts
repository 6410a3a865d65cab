// A backend is a heap plus the kernels that compute in it. `init()` picks
// one; every tensor remembers the backend it lives in.
import type { Kernels } from "./kernels.js";
import { META_BYTES } from "./kernels.js";
import { Heap, type GrowableMemory } from "./heap.js";

export type BackendName = "wasm-relaxed-simd" | "wasm-simd" | "wasm-scalar" | "js";

export class Backend {
  readonly heap: Heap;
  /** A small i32 block the ops layer writes shapes and strides into (see kernels.ts). */
  readonly meta: number;
  /** Scratch for sgemm's packed panels, allocated once. */
  readonly gemmWork: number;
  /** Live tensor handles and the bytes of their storages, for memory(). */
  liveTensors = 0;
  liveBytes = 0;
  disposed = false;

  constructor(
    readonly name: BackendName,
    readonly k: Kernels,
    memory: GrowableMemory,
  ) {
    this.heap = new Heap(memory, k.heapBase());
    this.meta = this.heap.alloc(META_BYTES);
    this.gemmWork = this.heap.alloc(k.gemmWorkspaceBytes());
  }
}

let current: Backend | null = null;

/** The active backend; throws a clear error before init(). */
export function activeBackend(): Backend {
  if (current === null) throw new Error("wasmgrad: call `await init()` before using tensors");
  return current;
}

export function setActiveBackend(b: Backend): void {
  if (current !== null) current.disposed = true;
  current = b;
}

/** Which backend init() chose: "wasm-relaxed-simd" | "wasm-simd" | "wasm-scalar" | "js". */
export function getBackend(): BackendName {
  return activeBackend().name;
}
