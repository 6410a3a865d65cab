// The numbers both sides of the kernel seam must agree on and that no type
// can check: the operation codes of binaryBroadcast and the meta block's
// layout, read from assembly/broadcast.ts and compared with kernels.ts.
// (Kernel names and parameter counts are checked by tsc: src/backend/wasm/loader.ts.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as kernels from "../src/backend/kernels.js";

const source = readFileSync(join(import.meta.dirname, "..", "assembly", "broadcast.ts"), "utf8");

describe("the kernel seam", () => {
  it("assembly/broadcast.ts has the operation codes of kernels.ts, and no other", () => {
    const inAssembly = Object.fromEntries([...source.matchAll(/^const (BIN_\w+) = (\d+);/gm)].map((m) => [m[1], Number(m[2])]));
    const inTs = Object.fromEntries(Object.entries(kernels).filter(([k]) => k.startsWith("BIN_")));
    expect(Object.keys(inAssembly).length).toBeGreaterThan(5);
    expect(inAssembly).toEqual(inTs);
    expect(new Set(Object.values(inTs)).size).toBe(Object.keys(inTs).length); // codes are distinct
  });

  it("the meta block's slots in assembly/broadcast.ts follow META_MAX_DIMS", () => {
    const slot = (fn: string) =>
      Number(new RegExp(`function ${fn}\\(meta: usize, k: i32\\)[^]*?<usize>\\((\\d+) \\+ k\\)`).exec(source)?.[1]);
    const m = kernels.META_MAX_DIMS;
    expect([slot("dim"), slot("strideA"), slot("strideB"), slot("counter")]).toEqual([1, 1 + m, 1 + 2 * m, 1 + 3 * m]);
    expect(kernels.META_BYTES).toBe(4 * (1 + 4 * m));
  });
});
