// Out of memory, each in a process of its own (a Wasm memory never shrinks):
// the heap is filled with 256 MiB tensors until an allocation is refused.
// The error names the limit that applied (2 GiB for the threaded builds'
// shared memory, 4 GiB for one thread), the tensor being allocated and what
// to do; after dispose() the same backend trains on.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { threadsUnavailable } from "../src/backend/wasm/features.js";

const root = join(import.meta.dirname, "..");

interface Filled {
  convError: string;
  convLeak: number;
  message: string;
  held: number;
  tensorsBefore: number;
  tensorsAfter: number;
  threads: number;
  first: number;
  last: number;
}

function fill(threads: number): Filled {
  const script = `
    import { init, getThreads, zeros, memory, manualSeed, randn, nn, optim, trainStep } from ${JSON.stringify(join(root, "dist/index.js"))};
    await init({ build: "simd", threads: ${threads} });
    // an op refused mid-way (conv2d's columns: ${threads > 1 ? "2.4 GB" : "4.8 GB"}) leaves nothing behind
    const big = zeros([1, ${threads > 1 ? 4096 : 8192}, 128, 128]), filters = zeros([1, ${threads > 1 ? 4096 : 8192}, 3, 3]);
    const held0 = memory();
    let convError = "";
    try { nn.functional.conv2d(big, filters, null, { padding: 1 }); } catch (e) { convError = e.message; }
    const convLeak = memory().bytes - held0.bytes + memory().tensors - held0.tensors;
    big.dispose(); filters.dispose();
    const tensorsBefore = memory().tensors;
    const held = [];
    let message = "";
    try {
      for (;;) held.push(zeros([64, 1024, 1024]));
    } catch (e) {
      message = e.message;
    }
    const count = held.length;
    for (const t of held) t.dispose();
    const tensorsAfter = memory().tensors;
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(8, 64), new nn.ReLU(), new nn.Linear(64, 2));
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = randn([256, 8]);
    const y = Int32Array.from(x.data().filter((_, i) => i % 8 === 0), (v) => (v > 0 ? 1 : 0));
    const losses = [];
    for (let i = 0; i < 100; i++) losses.push(trainStep(model, opt, { x, y }).loss);
    console.log(JSON.stringify({ message, held: count, tensorsBefore, tensorsAfter, threads: getThreads(), first: losses[0], last: losses[99], convError, convLeak }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
  return JSON.parse(out);
}

describe("out of memory", () => {
  it.skipIf(threadsUnavailable() !== null)(
    "threads: names the 2 GiB of shared memory and the tensor, says how to get 4 GiB, and trains on",
    () => {
      const r = fill(2);
      expect(r.threads).toBe(2);
      expect(r.convError).toMatch(/^out of memory: cannot allocate \d+ bytes: /);
      expect(r.convLeak).toBe(0);
      expect(r.held).toBe(7); // 7 x 256 MiB fit under 2 GiB beside the heap's own blocks; the 8th does not
      expect(r.message).toMatch(
        /^out of memory: cannot allocate a float32 tensor of shape \[64,1024,1024\] \(268435456 bytes\): the heap would grow from \d+ to \d+ bytes, and the heap is limited to 2 GiB by the shared memory of the threaded builds; dispose tensors or use tidy\(\), or call init\(\{ threads: 1 \}\) for a heap of up to 4 GiB on one thread$/,
      );
      expect(r.tensorsAfter).toBe(r.tensorsBefore);
      expect(r.last).toBeLessThan(0.5 * r.first);
    },
    120_000,
  );

  it("one thread: names the 4 GiB of 32-bit addresses, and trains on", () => {
    const r = fill(1);
    expect(r.convError).toMatch(/^out of memory: /);
    expect(r.convLeak).toBe(0);
    expect(r.held).toBe(15);
    expect(r.message).toMatch(
      /^out of memory: cannot allocate a float32 tensor of shape \[64,1024,1024\] \(268435456 bytes\): the heap would grow from \d+ to \d+ bytes, and the heap is limited to 4 GiB by 32-bit Wasm addresses; dispose tensors or use tidy\(\)$/,
    );
    expect(r.tensorsAfter).toBe(r.tensorsBefore);
    expect(r.last).toBeLessThan(0.5 * r.first);
  }, 120_000);
});
