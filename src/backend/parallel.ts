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
/** Rows of C, when a product has too few column panels for its threads, go in multiples of the micro-tile's height. */
const MR = 5;

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

/**
 * The blocks of C an M x N x K product gives its threads, one each: as many
 * threads as it pays for (GEMM_MACS_PER_THREAD), first over runs of whole
 * column panels (NR), then, where there are fewer panels than threads (a
 * narrow product: ten classes, a batch of 256), over runs of whole row tiles
 * (MR) too. A block is [row start, rows, column start, columns].
 */
export function gemmBlocks(M: number, N: number, K: number, threads: number): [number, number, number, number][] {
  const panels = Math.max(1, Math.floor(N / NR)),
    tiles = Math.ceil(M / MR);
  const paid = threadsFor(M * N * K, GEMM_MACS_PER_THREAD, threads, panels * tiles);
  const cols = split(N, Math.min(paid, panels), NR);
  const rows = split(M, Math.max(1, Math.min(tiles, Math.floor(paid / Math.max(1, cols.length)))), MR);
  return rows.flatMap(([m0, m]) => cols.map(([n0, n]): [number, number, number, number] => [m0, m, n0, n]));
}

/**
 * C = alpha op(A) op(B) + beta C (row-major, float32), as the sgemm kernel,
 * split into blocks of C (gemmBlocks): thread t computes its block with its
 * own packing workspace (each thread packs the rows of A and the columns of
 * B its block needs). Every element of C is summed in the same order of K
 * whatever the block, so any split gives the bits of one thread.
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
  const blocks = gemmBlocks(M, N, K, be.threads);
  if (blocks.length < 2) {
    be.k.sgemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, be.gemmWork);
    return;
  }
  runPrograms(
    be,
    blocks.map(([m0, m, n0, n], t) => [
      // row m0 of op(A): A[m0, :] when A is M x K, column m0 when it is K x M; column n0 of op(B) likewise
      [
        "sgemm",
        tA,
        tB,
        m,
        n,
        K,
        alpha,
        A + (tA ? m0 : m0 * lda) * 4,
        lda,
        B + (tB ? n0 * ldb : n0) * 4,
        ldb,
        beta,
        C + (m0 * ldc + n0) * 4,
        ldc,
        be.gemmWorks[t],
      ],
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
