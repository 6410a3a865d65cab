// Threads: the pool computes what one thread computes (bit for bit where
// each output element belongs to one thread; to float32 rounding where
// per-thread partial sums are added), training follows the same loss curve,
// the default is the cores Node reports, bad requests are refused, and a
// process with a running pool still exits.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  getBackend,
  getThreads,
  init,
  manualSeed,
  nn,
  optim,
  rand,
  randn,
  referenceModel,
  tensor,
  tidy,
  trainStep,
  type Tensor,
} from "../src/index.js";
import { threadsUnavailable } from "../src/backend/wasm/features.js";
import { activeBackend } from "../src/backend/backend.js";
import { ThreadPool, type Call } from "../src/backend/threads/pool.js";
import { sgemm } from "../src/backend/parallel.js";
import * as wg from "../src/index.js";
import { expectClose } from "./helpers/gradcheck.js";

const root = join(import.meta.dirname, "..");
const F = nn.functional;
const BUILDS = ["relaxed-simd", "simd"] as const;

/** Runs fn on `threads` threads from the same seed, returning plain numbers. */
async function on<T>(build: string, threads: number, fn: () => T): Promise<T> {
  await init({ build: build as never, threads });
  expect(getThreads()).toBe(threads);
  manualSeed(42);
  return tidy(fn);
}

describe.skipIf(threadsUnavailable() !== null)("threads", () => {
  it("starts as many threads as Node reports cores by default, and one on request", async () => {
    await init();
    expect(getThreads()).toBe(availableParallelism());
    await init({ threads: 1 });
    expect(getThreads()).toBe(1);
  });

  it("refuses what cannot run on threads, saying why", async () => {
    await expect(init({ threads: 0 })).rejects.toThrow(/threads must be a positive integer, got 0/);
    await expect(init({ threads: 1.5 })).rejects.toThrow(TypeError);
    await expect(init({ backend: "js", threads: 2 })).rejects.toThrow(/cannot run 2 threads: the js backend runs on one thread/);
    await expect(init({ build: "scalar", threads: 2 })).rejects.toThrow(/the scalar build has no threaded variant/);
    await init({ backend: "js" });
    expect(getThreads()).toBe(1);
  });

  it.each(BUILDS)("%s: GEMM split over column panels gives the same bits as one thread", async (build) => {
    const run = () => {
      const a = randn([203, 311]),
        b = randn([311, 517]),
        bt = randn([517, 311]);
      return [
        a.matmul(b).data(),
        a.matmul(bt.transpose(0, 1)).data(),
        F.linear(a, bt).data(),
        a
          .transpose(0, 1)
          .matmul(randn([203, 97]))
          .data(),
      ];
    };
    const one = await on(build, 1, run);
    const two = await on(build, 2, run);
    two.forEach((t, i) => expect(Array.from(t), `product ${i}`).toEqual(Array.from(one[i])));
  });

  it.each(BUILDS)(
    "%s: convolution and pooling over images and planes: forward bit for bit, weight gradients to float32 rounding",
    async (build) => {
      const run = () => {
        const x = randn([9, 3, 20, 18], { requiresGrad: true });
        const w = randn([8, 3, 3, 3], { requiresGrad: true });
        const b = randn([8], { requiresGrad: true });
        const y = F.maxPool2d(F.conv2d(x, w, b, { padding: 1 }).relu(), 2);
        const z = F.avgPool2d(y, 3, { stride: 2, padding: 1 });
        // grouped (depthwise) and transposed convolutions split the same way
        const wg = randn([8, 1, 3, 3], { requiresGrad: true });
        const wt = randn([8, 4, 3, 3], { requiresGrad: true });
        const t = F.convTranspose2d(F.conv2d(y, wg, null, { groups: 8, padding: 1 }), wt, null, {
          stride: 2,
          padding: 1,
          outputPadding: 1,
        });
        z.mul(z).sum().add(t.mul(t).sum()).backward();
        return {
          y: y.data(),
          z: z.data(),
          t: t.data(),
          dx: x.grad!.data(),
          dw: w.grad!.data(),
          db: b.grad!.data(),
          dwg: wg.grad!.data(),
          dwt: wt.grad!.data(),
        };
      };
      const one = await on(build, 1, run);
      const two = await on(build, 2, run);
      expect(Array.from(two.y)).toEqual(Array.from(one.y));
      expect(Array.from(two.z)).toEqual(Array.from(one.z));
      expect(Array.from(two.t)).toEqual(Array.from(one.t));
      expect(Array.from(two.dx)).toEqual(Array.from(one.dx)); // each image's input gradient belongs to one thread
      expectClose(two.dw, one.dw, 1e-5, 1e-5, "weight gradient");
      expectClose(two.db, one.db, 1e-5, 1e-5, "bias gradient");
      expectClose(two.dwg, one.dwg, 1e-5, 1e-5, "depthwise weight gradient");
      expectClose(two.dwt, one.dwt, 1e-5, 1e-5, "transposed weight gradient");
    },
  );

  // 100,003 elements: over the size where element-wise kernels split, and not a
  // multiple of the 64-element runs, so one thread's part ends in a scalar tail
  it.each(BUILDS)("%s: element-wise ops, their gradients and every optimizer step give the bits of one thread", async (build) => {
    const n = 100_003;
    const run = () => {
      const x = randn([n], { requiresGrad: true });
      const pos = tensor(rand([n]).add(0.5).data(), { requiresGrad: true }); // log and sqrt want x > 0
      const ys = [
        x.relu(),
        x.sigmoid(),
        x.tanh(),
        x.exp(),
        pos.log(),
        pos.sqrt(),
        x.abs(),
        x.clamp(-0.5, 0.7),
        F.leakyRelu(x, 0.1),
        F.elu(x),
        F.gelu(x),
        F.gelu(x, "tanh"),
        F.silu(x),
        F.softplus(x),
        wg.where(x.detach().sub(0.3), x, pos),
      ];
      ys.reduce((a, y) => a.add(y.mul(y)))
        .sum()
        .backward();
      // relu of a tensor that needs no gradient takes the kernel without the mask
      const out: Float32Array[] = [...ys.map((y) => y.data()), x.detach().relu().data(), x.grad!.data(), pos.grad!.data()];
      const optimizers = [
        (p: Tensor[]) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-2 }),
        (p: Tensor[]) => new optim.SGD(p, { lr: 0.1 }), // no momentum buffer: an absent pointer, stride 0
        (p: Tensor[]) => new optim.Adam(p, { lr: 0.01, weightDecay: 1e-2 }),
        (p: Tensor[]) => new optim.AdamW(p, { lr: 0.01 }),
        (p: Tensor[]) => new optim.RMSprop(p, { lr: 0.01, momentum: 0.5 }),
        (p: Tensor[]) => new optim.RMSprop(p, { lr: 0.01 }),
        (p: Tensor[]) => new optim.Adadelta(p, { weightDecay: 1e-2 }),
        (p: Tensor[]) => new optim.Adagrad(p, { lrDecay: 0.1 }),
      ];
      for (const make of optimizers) {
        const p = randn([n], { requiresGrad: true });
        const opt = make([p]);
        for (let step = 0; step < 3; step++) {
          p.grad = randn([n]);
          opt.step();
        }
        out.push(p.data());
        opt.dispose(); // its state is kept out of tidy()
      }
      return out;
    };
    const one = await on(build, 1, run);
    const two = await on(build, 2, run);
    expect(two.length).toBe(one.length);
    two.forEach((t, i) => expect(Array.from(t), `result ${i}`).toEqual(Array.from(one[i])));
  });

  it.each(BUILDS)("%s: batch norm, layer norm and batched products give the bits of one thread", async (build) => {
    const run = () => {
      const x = randn([32, 16, 12, 12], { requiresGrad: true });
      const w = randn([16], { requiresGrad: true });
      const y = F.batchNorm(x, null, null, w, null, { training: true });
      const t = randn([64, 17, 96], { requiresGrad: true });
      const z = F.layerNorm(t, 96);
      const q = randn([8, 4, 17, 16], { requiresGrad: true });
      const k = randn([8, 4, 16, 17], { requiresGrad: true });
      const att = q.matmul(k).softmax(-1);
      y.mul(y).sum().add(z.mul(z).sum()).add(att.mul(att).sum()).backward();
      return [y, z, att, x.grad!, w.grad!, t.grad!, q.grad!, k.grad!].map((r) => r.data());
    };
    const one = await on(build, 1, run);
    const two = await on(build, 2, run);
    two.forEach((r, i) => expect(Array.from(r), `result ${i}`).toEqual(Array.from(one[i])));
  });

  it("trains LeNet-5 for 100 steps: 2 threads repeat themselves bit for bit, and follow the 1-thread curve", async () => {
    const curve = async (threads: number) => {
      await init({ build: "simd", threads });
      manualSeed(3);
      const model = referenceModel("lenet5");
      const opt = new optim.SGD(model.parameters(), { lr: 0.02, momentum: 0.9 });
      const x: Tensor = randn([16, 1, 28, 28]);
      const y = Int32Array.from({ length: 16 }, (_, i) => i % 10);
      const losses: number[] = [];
      for (let i = 0; i < 100; i++) losses.push(trainStep(model, opt, { x, y }).loss);
      return losses;
    };
    const one = await curve(1);
    const two = await curve(2);
    expect(await curve(2)).toEqual(two); // partitions fixed by the work, not by timing
    expect(one[99]).toBeLessThan(0.2 * one[0]); // it learned
    // the weight gradients' partial sums round differently, and training amplifies that slowly
    expectClose(Float32Array.from(two.slice(0, 5)), Float32Array.from(one.slice(0, 5)), 1e-5, 1e-6, "first steps");
    expectClose(Float32Array.from(two), Float32Array.from(one), 2e-2, 1e-3, "loss curve");
  }, 120_000);

  it("ends the pool when a round times out, so a worker still in it cannot run a half-written next round", async () => {
    await init({ build: "simd", threads: 2 });
    const be = activeBackend();
    const n = 1536; // one product of n x n on the worker alone: far longer than the shortened timeout
    const [a, b, c] = [randn([n, n]), randn([n, n]), randn([n, n])];
    const product: Call = ["sgemm", 0, 0, n, n, n, 1, a._ptr, n, b._ptr, n, 0, c._ptr, n, be.gemmWorks[1]];
    ThreadPool.roundTimeoutMs = 20;
    try {
      expect(() => be.pool!.run([[], [product]])).toThrow(
        /threads: thread 1 of 2 did not finish round \d+ within 0\.02 s of the caller's part \(a worker that died or stalled\); the pool is stopped/,
      );
      expect(() => be.pool!.run([[], []])).toThrow(/the pool was stopped after a round timed out \(thread 1\); call init\(\) again/);
    } finally {
      ThreadPool.roundTimeoutMs = 120_000;
    }
    await init({ build: "simd", threads: 2 }); // a new pool works
    const x = randn([300, 300]);
    const [values, two] = [x.data(), x.matmul(x).data()];
    await init({ build: "simd", threads: 1 });
    const xs = tensor(values, { shape: [300, 300] });
    expect(Array.from(two)).toEqual(Array.from(xs.matmul(xs).data()));
  });

  /** A new pool computes what one thread does: a product split over threads against the same product on one. */
  async function expectWorkingPool(threads: number): Promise<void> {
    await init({ build: "simd", threads });
    expect(getThreads()).toBe(threads);
    const x = randn([300, 300]);
    const [values, many] = [x.data(), x.matmul(x).data()];
    await init({ build: "simd", threads: 1 });
    const xs = tensor(values, { shape: [300, 300] });
    expect(Array.from(many)).toEqual(Array.from(xs.matmul(xs).data()));
  }

  it("splits products into blocks of rows and columns that give the bits of one thread", async () => {
    // narrow (one column panel: rows split), wide, and both transposes; beta 0.5 over a random C
    const cases = [
      [1000, 10, 1000, 0, 0],
      [333, 7, 700, 1, 0],
      [64, 130, 784, 0, 1],
      [37, 300, 512, 1, 1],
      [501, 24, 300, 1, 0],
    ];
    const products = async (threads: number) => {
      await init({ build: "simd", threads });
      manualSeed(3);
      const be = activeBackend();
      return cases.map(([M, N, K, tA, tB]) => {
        const a = randn(tA ? [K, M] : [M, K]),
          b = randn(tB ? [N, K] : [K, N]),
          c = randn([M, N]);
        sgemm(be, tA, tB, M, N, K, 1.5, a._ptr, a.shape[1], b._ptr, b.shape[1], 0.5, c._ptr, N);
        return Array.from(c.data());
      });
    };
    const one = await products(1);
    for (const threads of [3, 5]) expect(await products(threads)).toEqual(one);
  });

  it("wakes only the workers a round has work for; small calls run on the caller alone", async () => {
    await init({ build: "simd", threads: 4 });
    const pool = activeBackend().pool as ThreadPool;
    const x = randn([1000]);
    const add: Call = ["add", x._ptr, x._ptr, x._ptr, 1000];
    pool.run([[add], [add], [add], [add]]);
    const [r1, , r3] = pool._lastRounds();
    pool.run([[add], [add]]);
    expect(pool._lastRounds()).toEqual([r1 + 1, r1, r3]);
    // 1,000 elements, a 64 x 64 x 64 product: not worth a round
    x.add(x).dispose();
    x.reshape([10, 100])
      .matmul(x.reshape([100, 10]))
      .dispose();
    const y = randn([64, 64]);
    y.matmul(y).dispose();
    expect(pool._lastRounds()).toEqual([r1 + 1, r1, r3]);
    // a 256 x 256 x 256 product (16 Mi multiply-adds) pays for all four
    const z = randn([256, 256]);
    z.matmul(z).dispose();
    expect(pool._lastRounds().every((r) => r > r1 + 1)).toBe(true);
  });

  it("a kernel that throws on a worker ends the pool at once, naming the kernel, the thread and why", async () => {
    await init({ build: "simd", threads: 3 });
    const be = activeBackend();
    const bad = 2 ** 31 - 4096; // past the end of any heap under the shared memory's 2 GiB: the access traps
    const x = randn([1000]);
    const ok: Call = ["add", x._ptr, x._ptr, x._ptr, 1000];
    const t0 = performance.now();
    expect(() => be.pool!.run([[ok], [ok], [["add", bad, bad, bad, 64]]])).toThrow(
      /^threads: kernel add threw on thread 2 of 3: RuntimeError: memory access out of bounds; the pool is stopped$/,
    );
    expect(performance.now() - t0).toBeLessThan(4000); // through the control block, not by a timeout
    expect(() => x.add(x)).not.toThrow(); // small: runs on the caller alone
    expect(() => randn([300, 300]).matmul(randn([300, 300]))).toThrow(
      /threads: the pool was stopped after kernel add threw on thread 2; call init\(\) again/,
    );
    await expectWorkingPool(3);
  });

  it("a worker that exits between rounds: the next round refuses at once, naming the thread", async () => {
    await init({ build: "simd", threads: 2 });
    const be = activeBackend();
    const a = randn([300, 300]);
    a.matmul(a).dispose();
    await (be.pool as ThreadPool)._terminate(1); // Node's terminate() resolves once the thread has exited
    await new Promise((r) => setTimeout(r, 50)); // the exit event runs on the caller's event loop
    const t0 = performance.now();
    expect(() => a.matmul(a)).toThrow(/threads: the pool was stopped after thread 1 exited with code 1; call init\(\) again/);
    expect(performance.now() - t0).toBeLessThan(1000);
    await expectWorkingPool(2);
  });

  it("a worker killed in the middle of training is reported by the round's short timeout, naming the thread", async () => {
    await init({ build: "simd", threads: 2 });
    manualSeed(1);
    const model = referenceModel("lenet5");
    const opt = new optim.SGD(model.parameters(), { lr: 0.02, momentum: 0.9 });
    const batch = { x: randn([64, 1, 28, 28]), y: Int32Array.from({ length: 64 }, (_, i) => i % 10) };
    trainStep(model, opt, batch);
    void (activeBackend().pool as ThreadPool)._terminate(1); // not awaited: the steps below run while it dies
    const t0 = performance.now();
    let error: Error | null = null;
    while (error === null && performance.now() - t0 < 30_000) {
      try {
        trainStep(model, opt, batch);
      } catch (e) {
        error = e as Error;
      }
    }
    expect(error?.message).toMatch(
      /^threads: thread 1 of 2 did not finish round \d+ within [\d.]+ s of the caller's part \(a worker that died or stalled\); the pool is stopped$/,
    );
    expect(performance.now() - t0).toBeLessThan(30_000); // the short timeout, not the two minutes of a long round
    expect(() => trainStep(model, opt, batch)).toThrow(/the pool was stopped after a round timed out \(thread 1\)/);
    await init({ build: "simd", threads: 2 }); // a new pool (tensors of the old backend stay with it)
    const fresh = referenceModel("lenet5");
    const step = () => trainStep(fresh, new optim.SGD(fresh.parameters(), { lr: 0.02 }), { x: randn([64, 1, 28, 28]), y: batch.y });
    expect(Number.isFinite(step().loss)).toBe(true);
  }, 60_000);

  it("stops the old pool on a second init(), and a process with a running pool still exits", async () => {
    await init({ build: "simd", threads: 2 });
    await init({ build: "simd", threads: 2 });
    expect(getBackend()).toBe("wasm-simd");
    const script = `
      import { init, randn, getThreads } from ${JSON.stringify(join(root, "dist/index.js"))};
      await init({ threads: 2, build: "simd" });
      randn([300, 300]).matmul(randn([300, 300])).data();
      console.log(getThreads());`;
    // a pool that kept the process alive would hit the timeout and fail this
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(out.trim()).toBe("2");
  });
});
