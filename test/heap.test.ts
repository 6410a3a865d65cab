// The allocator: alignment, no overlap, merging of freed neighbours, and a
// repeated allocation pattern that stops growing the memory.
import { describe, expect, it } from "vitest";
import { ArrayMemory, Heap, blockSize } from "../src/backend/heap.js";
import { rng } from "./helpers/gradcheck.js";

const fresh = () => new Heap(new ArrayMemory(1), 100);

describe("heap", () => {
  it("hands out 64-byte aligned blocks above the base, rounded to whole lines", () => {
    const h = fresh();
    const a = h.alloc(1),
      b = h.alloc(65),
      c = h.alloc(64);
    expect([a, b, c]).toEqual([128, 192, 320]);
    expect(blockSize(1)).toBe(64);
    expect(blockSize(65)).toBe(128);
    expect(blockSize(0)).toBe(64);
  });

  it("merges a freed block with free neighbours on both sides", () => {
    const h = fresh();
    const a = h.alloc(64),
      b = h.alloc(128),
      c = h.alloc(64),
      guard = h.alloc(64);
    h.free(a, 64);
    h.free(c, 64);
    h.free(b, 128); // joins a and c: one free block of 256 bytes
    expect(h.alloc(256)).toBe(a);
    expect(h.alloc(64)).toBe(guard + 64); // nothing left below guard
  });

  it("gives a block at the top back to the bump pointer", () => {
    const h = fresh();
    const a = h.alloc(1000);
    const b = h.alloc(5000);
    h.free(b, 5000);
    h.free(a, 1000);
    expect(h.alloc(6000)).toBe(a);
    expect(h.highWater).toBe(a + blockSize(1000) + blockSize(5000));
  });

  it("prefers the smallest free block that fits", () => {
    const h = fresh();
    const big = h.alloc(4096),
      g1 = h.alloc(64),
      small = h.alloc(512),
      g2 = h.alloc(64);
    h.free(big, 4096);
    h.free(small, 512);
    expect(h.alloc(300)).toBe(small);
    expect(h.alloc(2000)).toBe(big);
    expect(h.alloc(64)).toBe(small + 320); // what the 300 left of the 512 hole: smaller than big's 2 KB rest
    expect(g1).toBe(big + 4096);
    expect(g2).toBe(small + 512);
  });

  it("finds a freed block again after a request that fit in no hole", () => {
    const h = fresh();
    const a = h.alloc(64),
      g1 = h.alloc(64),
      b = h.alloc(4096),
      g2 = h.alloc(64);
    h.free(a, 64);
    const big = h.alloc(8192); // no hole fits: from the top
    expect(big).toBeGreaterThan(g2);
    h.free(b, 4096);
    expect(h.alloc(4000)).toBe(b);
    expect(h.alloc(64)).toBe(a);
    expect(g1).toBe(a + 64);
  });

  it("never overlaps live blocks, and keeps their contents, through random allocs, frees and grows", () => {
    const h = fresh();
    const rand = rng(7);
    const live = new Map<number, { bytes: number; tag: number }>();
    for (let step = 0; step < 2000; step++) {
      if (live.size > 0 && rand() < 0.45) {
        const keys = [...live.keys()];
        const ptr = keys[Math.floor(rand() * keys.length)];
        const { bytes, tag } = live.get(ptr)!;
        expect(h.u8.subarray(ptr, ptr + bytes).every((v) => v === tag)).toBe(true);
        h.free(ptr, bytes);
        live.delete(ptr);
      } else {
        const bytes = 1 + Math.floor(rand() ** 3 * 200_000);
        const ptr = h.alloc(bytes);
        expect(ptr % 64).toBe(0);
        expect([...live].every(([p, o]) => ptr + bytes <= p || p + o.bytes <= ptr)).toBe(true);
        const tag = step & 255;
        h.u8.fill(tag, ptr, ptr + bytes);
        live.set(ptr, { bytes, tag });
      }
    }
  });

  it("stops growing when the same allocation sequence repeats", () => {
    const h = fresh();
    const keep = h.alloc(10_000);
    const round = () => {
      const a = h.alloc(6_400_000),
        b = h.alloc(1_600_000);
      h.free(a, 6_400_000);
      const c = h.alloc(3_200_000),
        d = h.alloc(3_200_000);
      h.free(b, 1_600_000);
      const e = h.alloc(800_000);
      for (const [p, n] of [
        [c, 3_200_000],
        [d, 3_200_000],
        [e, 800_000],
      ])
        h.free(p, n);
    };
    round();
    const high = h.highWater,
      bytes = h.byteLength;
    for (let i = 0; i < 20; i++) round();
    expect(h.highWater).toBe(high);
    expect(h.byteLength).toBe(bytes);
    // the two 3.2 MB blocks reuse the freed 6.4 MB one: the peak is 8 MB of live blocks, not 14.4
    expect(high - keep).toBeLessThan(8_100_000);
  });

  it("refuses an allocation past its limit, naming the tensor, the limit and the hint, and keeps working", () => {
    const h = new Heap(new ArrayMemory(1, 16), 100, { bytes: 8 * 65536, by: "a test's limit", hint: "try less" });
    const a = h.alloc(300_000);
    expect(() => h.alloc(300_000, [300, 250])).toThrow(
      /^out of memory: cannot allocate a float32 tensor of shape \[300,250\] \(300000 bytes\): the heap would grow from \d+ to \d+ bytes, and the heap is limited to 512 KiB by a test's limit; dispose tensors or use tidy\(\), or try less$/,
    );
    expect(h.byteLength).toBeLessThanOrEqual(8 * 65536);
    h.free(a, 300_000);
    expect(h.alloc(300_000)).toBe(a); // the freed block serves the next request
    // a memory that refuses below the limit: the runtime's refusal, said as such
    const tight = new Heap(new ArrayMemory(1, 2), 100, { bytes: 8 * 65536, by: "a test's limit" });
    expect(() => tight.alloc(200_000)).toThrow(
      /^out of memory: cannot allocate 200000 bytes: .* the runtime refused more memory below the heap's limit of 512 KiB \(set by a test's limit\); dispose tensors or use tidy\(\)$/,
    );
  });
});
