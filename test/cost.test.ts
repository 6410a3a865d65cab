// The cost model of splitting (src/backend/cost.ts) as pure functions of
// sizes and thread counts: on 2 threads it splits where the kernel-call layer
// always did, it never hands out more threads than the pool has or pieces of
// work, and a small call stays on the caller however many threads there are.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ELEMENTS_PER_THREAD, GEMM_MACS_PER_THREAD, threadsFor } from "../src/backend/cost.js";
import { gemmBlocks, itemRuns } from "../src/backend/parallel.js";

const covers = (runs: [number, number][], n: number) => {
  let next = 0;
  for (const [start, count] of runs) {
    expect(start).toBe(next);
    expect(count).toBeGreaterThan(0);
    next += count;
  }
  expect(next).toBe(n);
};

describe("cost model", () => {
  it("splits on 2 threads where the kernel-call layer did: a GEMM of 1 Mi multiply-adds, 64 Ki elements", () => {
    expect(gemmBlocks(64, 128, 127, 2)).toHaveLength(1); // 1,040,384 multiply-adds
    expect(gemmBlocks(64, 128, 128, 2)).toEqual([
      [0, 64, 0, 64],
      [0, 64, 64, 64],
    ]);
    expect(itemRuns(1024, (1 << 16) - 1, 2, 64)).toEqual([[0, 1024]]);
    expect(itemRuns(1 << 16, 1 << 16, 2, 64)).toEqual([
      [0, 1 << 15],
      [1 << 15, 1 << 15],
    ]);
  });

  it("gives MLP-S's small products few threads of 16, large ones all 16, and narrow ones rows", () => {
    // MLP-S at batch 64: 784 -> 128 -> 10
    // 6.4 M multiply-adds pay for 12 threads of at least 512 Ki; 16 panels of 8 columns go 2 a thread to 8 of them
    expect(gemmBlocks(64, 128, 784, 16)).toHaveLength(8);
    expect(gemmBlocks(64, 10, 128, 16)).toHaveLength(1);
    expect(gemmBlocks(1024, 1024, 1024, 16)).toHaveLength(16);
    // ten classes of a batch of 1,000 through 1,000 features: one column panel, rows of whole tiles
    expect(gemmBlocks(1000, 10, 1000, 16)).toEqual(Array.from({ length: 16 }, (_, i) => [65 * i, i < 15 ? 65 : 25, 0, 10]));
    expect(itemRuns(100_480, 100_480, 16, 64)).toHaveLength(3); // MLP-S's first weight in an optimizer step
    expect(itemRuns(10, 10 * 4096, 16)).toHaveLength(1);
  });

  it("never uses more threads than the pool has or pieces to hand out, and grows with the work", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 10_000 }),
        (work, threads, items) => {
          const t = threadsFor(work, GEMM_MACS_PER_THREAD, threads, items);
          expect(t).toBeGreaterThanOrEqual(1);
          expect(t).toBeLessThanOrEqual(Math.min(threads, items));
          expect(threadsFor(work * 2, GEMM_MACS_PER_THREAD, threads, items)).toBeGreaterThanOrEqual(t);
          if (t > 1) expect(work / t).toBeGreaterThanOrEqual(GEMM_MACS_PER_THREAD);
        },
      ),
    );
  });

  it("cuts products into whole panels and items into whole runs that cover everything once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 1, max: 32 }),
        (M, N, K, threads) => {
          const blocks = gemmBlocks(M, N, K, threads);
          expect(blocks.length).toBeLessThanOrEqual(threads);
          if (blocks.length > 1) expect(M * N * K).toBeGreaterThanOrEqual(blocks.length * GEMM_MACS_PER_THREAD);
          // every element of C in exactly one block; blocks start on whole tiles (5 rows) and panels (8 columns)
          const owner = new Int32Array(M * N);
          for (const [m0, m, n0, n] of blocks) {
            expect([m0 % 5, n0 % 8]).toEqual([0, 0]);
            for (let i = m0; i < m0 + m; i++) for (let j = n0; j < n0 + n; j++) owner[i * N + j]++;
          }
          expect(owner.every((c) => c === 1)).toBe(true);
          const items = itemRuns(N, N * K, threads, 64);
          covers(items, N);
          if (items.length > 1) expect(N * K).toBeGreaterThanOrEqual(items.length * ELEMENTS_PER_THREAD);
        },
      ),
    );
  });
});
