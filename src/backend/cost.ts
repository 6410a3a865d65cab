// How many threads a kernel call pays for: a pure function of its sizes and
// the pool's thread count, never of timing, so a given thread count makes the
// same splits (and the same numbers) on every run.
//
// Each thread a call uses costs the round a wake-up and a join: about 1 us
// when the workers are still spinning from the last round, 20-80 us when they
// have gone to sleep (npm run bench:scaling on the 2-core VM). A thread pays
// when its share of the work takes several times that, so a call gets one
// thread per chunk of at least the minimum below, and never more threads than
// the pool has. With 2 threads the minimums give exactly the split points the
// kernel-call layer used before this model (a GEMM of 1 Mi multiply-adds, 64 Ki
// elements); with 16 they keep small layers from being cut into pieces that
// cost more to hand out than to compute (MLP-S fell to its one-thread speed
// at 16 threads).

/** Multiply-adds per thread at least: about 20 us of one core's GEMM (25 GMAC/s). */
export const GEMM_MACS_PER_THREAD = 1 << 19;
/** Elements per thread at least for element-wise, optimizer and per-plane kernels: about 8 us at 4 elements a nanosecond. */
export const ELEMENTS_PER_THREAD = 1 << 15;

/**
 * Threads for `work` units when each thread should get at least `perThread`
 * of them and there are `items` independent pieces to hand out (a thread
 * takes whole ones): from 1 (the caller alone) to `threads`.
 */
export function threadsFor(work: number, perThread: number, threads: number, items = Infinity): number {
  return Math.max(1, Math.min(threads, items, Math.floor(work / perThread)));
}
