// The cost model of splitting (src/backend/cost.ts) as pure functions of
// sizes and thread counts: on 2 threads it splits where the kernel-call layer
// always did, it never hands out more threads than the pool has or pieces of
// work, and a small call stays on the caller however many threads there are.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ELEMENTS_PER_THREAD, GEMM_MACS_PER_THREAD, threadsFor } from "../src/backend/cost.js";
import { gemmColumns, itemRuns } from "../src/backend/parallel.js";

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
    expect(gemmColumns(64, 128, 127, 2)).toHaveLength(1); // 1,040,384 multiply-adds
    expect(gemmColumns(64, 128, 128, 2)).toEqual([
      [0, 64],
      [64, 64],
    ]);
    expect(gemmColumns(1024, 15, 1024, 2)).toHaveLength(1); // fewer than two panels of 8 columns
    expect(itemRuns(1024, (1 << 16) - 1, 2, 64)).toEqual([[0, 1024]]);
    expect(itemRuns(1 << 16, 1 << 16, 2, 64)).toEqual([
      [0, 1 << 15],
      [1 << 15, 1 << 15],
    ]);
  });

  it("gives MLP-S's small products few threads of 16, and large ones all 16", () => {
    // MLP-S at batch 64: 784 -> 128 -> 10
    // 6.4 M multiply-adds pay for 12 threads of at least 512 Ki; 16 panels of 8 columns go 2 a thread to 8 of them
    expect(gemmColumns(64, 128, 784, 16)).toHaveLength(8);
    expect(gemmColumns(64, 10, 128, 16)).toHaveLength(1);
    expect(gemmColumns(1024, 1024, 1024, 16)).toHaveLength(16);
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
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 0, max: 4096 }),
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 32 }),
        (M, N, K, threads) => {
          const runs = gemmColumns(M, N, K, threads);
          covers(runs, N);
          expect(runs.length).toBeLessThanOrEqual(threads);
          for (const [start, count] of runs.slice(0, -1)) expect([start % 8, count % 8]).toEqual([0, 0]);
          const items = itemRuns(N, N * K, threads, 64);
          covers(items, N);
          if (items.length > 1) expect(N * K).toBeGreaterThanOrEqual(items.length * ELEMENTS_PER_THREAD);
        },
      ),
    );
  });
});
