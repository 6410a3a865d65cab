// The kernel-call layer for work that pays to split over threads: it owns
// each thread's scratch (sgemm's packing workspace) and cuts the work by its
// sizes alone (cost.ts says how many threads a call pays for), never by
// timing, so a given thread count gives the same numbers every run. Where one
// thread pays, the caller runs the kernel alone, exactly as a single-threaded
// backend does, and the other threads are not woken.
//
// Where N threads can differ from one in the last bits: nowhere here. Each
// split gives every output element to one thread, which computes it in the
// same order as one thread would (GEMM columns, planes, chunks of elements).
// Convolution weight gradients (ops/conv.ts) are the exception: each thread
// sums its images, and the partial sums are added in thread order.
import type { Backend } from "./backend.js";
import type { Call } from "./threads/protocol.js";
import type { KernelName } from "./kernels.js";
import { ELEMENTS_PER_THREAD, GEMM_MACS_PER_THREAD, threadsFor } from "./cost.js";
/** Columns of C go to threads in multiples of the micro-tile's width, so every thread packs whole panels. */
const NR = 8;

/** Splits [0, n) into at most `parts` runs of multiples of `align` (the last takes the rest), first to last. */
export function split(n: number, parts: number, align = 1): [start: number, count: number][] {
  const per = Math.ceil(n / parts / align) * align;
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += per) out.push([s, Math.min(per, n - s)]);
  return out;
}

/** Runs one program per thread (programs[0] on the caller); with no pool, runs them in order here. */
export function runPrograms(be: Backend, programs: Call[][]): void {
  if (be.pool !== null && programs.length > 1) {
    be.pool.run(programs);
    return;
  }
  const k = be.k as unknown as Record<string, (...args: number[]) => unknown>;
  for (const program of programs) for (const [name, ...args] of program) k[name](...args);
}

/** The runs of C's columns an M x N x K product gives each thread: whole panels of NR, one thread per GEMM_MACS_PER_THREAD. */
export function gemmColumns(M: number, N: number, K: number, threads: number): [start: number, count: number][] {
  return split(N, threadsFor(M * N * K, GEMM_MACS_PER_THREAD, threads, Math.floor(N / NR)), NR);
}

/**
 * C = alpha op(A) op(B) + beta C (row-major, float32), as the sgemm kernel,
 * split over column panels of C: thread t computes its columns with its own
 * packing workspace (A is packed by each thread).
 */
export function sgemm(
  be: Backend,
  tA: number,
  tB: number,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: number,
  lda: number,
  B: number,
  ldb: number,
  beta: number,
  C: number,
  ldc: number,
): void {
  const parts = gemmColumns(M, N, K, be.threads);
  if (parts.length < 2) {
    be.k.sgemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, be.gemmWork);
    return;
  }
  runPrograms(
    be,
    parts.map(([n0, n], t) => [
      // column n0 of op(B): B[:, n0] when B is K x N, row n0 of B when it is N x K
      ["sgemm", tA, tB, M, n, K, alpha, A, lda, B + (tB ? n0 * ldb : n0) * 4, ldb, beta, C + n0 * 4, ldc, be.gemmWorks[t]],
    ]),
  );
}

/**
 * A batch of products C_i = alpha op(A_i) op(B_i) + beta C_i of one geometry,
 * by the pointers of each. Where the batch pays for more than one thread,
 * each thread takes a run of whole products (attention's many small ones);
 * otherwise each product is split as sgemm splits it. Either way every
 * element of C comes from one thread computing it as one thread would.
 */
export function sgemmBatch(
  be: Backend,
  tA: number,
  tB: number,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: readonly number[],
  lda: number,
  B: readonly number[],
  ldb: number,
  beta: number,
  C: readonly number[],
  ldc: number,
): void {
  const count = C.length;
  const threads = threadsFor(count * M * N * K, GEMM_MACS_PER_THREAD, be.threads, count);
  if (threads === 1) {
    for (let i = 0; i < count; i++) sgemm(be, tA, tB, M, N, K, alpha, A[i], lda, B[i], ldb, beta, C[i], ldc);
    return;
  }
  runPrograms(
    be,
    split(count, threads).map(([i0, n], t) =>
      Array.from({ length: n }, (_, j): Call => {
        const i = i0 + j;
        return ["sgemm", tA, tB, M, N, K, alpha, A[i], lda, B[i], ldb, beta, C[i], ldc, be.gemmWorks[t]];
      }),
    ),
  );
}

/** Splits `count` independent items (a convolution's images) of `macs` multiply-adds in all into one run per thread they pay for. */
export function perThread(be: Backend, count: number, macs: number): [start: number, count: number][] {
  return split(count, threadsFor(macs, GEMM_MACS_PER_THREAD, be.threads, count));
}

/** The runs of `items` (multiples of `align`) each thread gets, for work touching `elements` elements: one thread per ELEMENTS_PER_THREAD. */
export function itemRuns(items: number, elements: number, threads: number, align = 1): [start: number, count: number][] {
  return split(items, threadsFor(elements, ELEMENTS_PER_THREAD, threads, Math.ceil(items / align)), align);
}

/**
 * Calls a kernel `name(p1, ..., pk, count, ...rest)` whose pointer arguments
 * each advance by a fixed number of bytes per item (a pointer of stride 0
 * stays put: an absent buffer), with the items split over threads in runs of
 * `align`: planes of max and average pooling, elements of element-wise
 * kernels and optimizer steps. `elements` is the work's size in elements.
 */
export function overItems(
  be: Backend,
  name: KernelName,
  items: number,
  elements: number,
  ptrs: [ptr: number, bytesPerItem: number][],
  rest: readonly number[],
  align = 1,
): void {
  const parts = itemRuns(items, elements, be.threads, align);
  runPrograms(
    be,
    parts.map(([i0, count]) => [[name, ...ptrs.map(([ptr, bytes]) => ptr + i0 * bytes), count, ...rest] as Call]),
  );
}

/** Element-wise kernels split in runs of 64 elements: whole SIMD vectors, and 16-byte-aligned byte masks. */
export function overElements(
  be: Backend,
  name: KernelName,
  n: number,
  ptrs: [ptr: number, bytesPerElement: number][],
  rest: readonly number[] = [],
): void {
  overItems(be, name, n, n, ptrs, rest, 64);
}
