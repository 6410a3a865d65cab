// A raw block of the heap for what ops keep that is not a float32 tensor: the
// byte mask of relu, the arg-max indices of max pooling and max(dim), the
// class indices of a loss's targets. No shape, no tape, no tidy(): the op
// allocates it, kernels read it, and it is freed by the op, or by the tape
// node that holds it (with the tensors that node saved). It counts in
// memory().bytes, so a leaked one still shows.
import { activeBackend, type Backend } from "./backend.js";

export class Block {
  private freed = false;

  private constructor(
    readonly backend: Backend,
    readonly ptr: number,
    readonly bytes: number,
  ) {
    backend.liveBytes += bytes;
  }

  /** `bytes` of the active backend's heap, uninitialised. */
  static alloc(bytes: number): Block {
    const b = activeBackend();
    return new Block(b, b.heap.alloc(bytes), bytes);
  }

  /** The block's bytes as int32s (class indices): valid until the next allocation. */
  i32(): Int32Array {
    const p = this.ptr >>> 2;
    return this.backend.heap.i32.subarray(p, p + (this.bytes >>> 2));
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.backend.liveBytes -= this.bytes;
    if (!this.backend.disposed) this.backend.heap.free(this.ptr, this.bytes);
  }
}
