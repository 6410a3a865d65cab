// jax-js (@jax-js/jax) as a contender: its Wasm device, every workload under
// jit. jax-js is lazy (a call only records work), so each run reads a result
// back (dataSync) to make the work happen: the output of a kernel, a training
// step's loss (which forces the previous step's update too), a sum of the
// parameters after an SGD step. Arrays are reference-counted: `.ref` keeps an
// input alive across calls.
import { init, jit, lax, nn, numpy as np, tree, valueAndGrad, grad, defaultDevice } from "@jax-js/jax";
import type { bench } from "../../src/index.js";

type A = np.Array;
type Layer = { kind: "conv"; inC: number; outC: number; k: number; pad: number } | { kind: "dense"; inF: number; outF: number };
type Params = { w: A; b: A }[];

const ARCH: Record<string, Layer[]> = {
  "mlp-s": [
    { kind: "dense", inF: 784, outF: 128 },
    { kind: "dense", inF: 128, outF: 10 },
  ],
  "mlp-l": [
    { kind: "dense", inF: 784, outF: 1000 },
    { kind: "dense", inF: 1000, outF: 500 },
    { kind: "dense", inF: 500, outF: 10 },
  ],
  lenet5: [
    { kind: "conv", inC: 1, outC: 6, k: 5, pad: 2 },
    { kind: "conv", inC: 6, outC: 16, k: 5, pad: 0 },
    { kind: "dense", inF: 400, outF: 120 },
    { kind: "dense", inF: 120, outF: 84 },
    { kind: "dense", inF: 84, outF: 10 },
  ],
  "cnn-m": [
    { kind: "conv", inC: 1, outC: 32, k: 3, pad: 1 },
    { kind: "conv", inC: 32, outC: 64, k: 3, pad: 1 },
    { kind: "dense", inF: 3136, outF: 128 },
    { kind: "dense", inF: 128, outF: 10 },
  ],
};

const random = (shape: number[], scale = 1) =>
  np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (Math.random() * 2 - 1) * scale)).reshape(shape);

function initParams(arch: Layer[]): Params {
  return arch.map((l) =>
    l.kind === "conv"
      ? { w: random([l.outC, l.inC, l.k, l.k], 1 / Math.sqrt(l.inC * l.k * l.k)), b: np.zeros([l.outC]) }
      : { w: random([l.inF, l.outF], 1 / Math.sqrt(l.inF)), b: np.zeros([l.outF]) },
  );
}

/** 2x2 max pooling of NCHW as a reshape and a max (H and W are even in every reference model). */
function pool2(x: A): A {
  const [n, c, h, w] = x.shape;
  return x.reshape([n, c, h / 2, 2, w / 2, 2]).max([3, 5]);
}

function forward(arch: Layer[], p: Params, x: A): A {
  let h = x;
  arch.forEach((l, i) => {
    const { w, b } = p[i];
    if (l.kind === "conv") {
      h = pool2(
        nn.relu(
          lax
            .conv(
              h,
              w,
              [1, 1],
              [
                [l.pad, l.pad],
                [l.pad, l.pad],
              ],
            )
            .add(b.reshape([1, l.outC, 1, 1])),
        ),
      );
    } else {
      if (h.ndim === 4) h = h.reshape([h.shape[0], l.inF]);
      h = np.matmul(h, w).add(b);
      if (i < arch.length - 1) h = nn.relu(h);
    }
  });
  return h;
}

const crossEntropy = (logits: A, oneHot: A, rows: number) =>
  nn
    .logSoftmax(logits, -1)
    .mul(oneHot)
    .sum()
    .mul(-1 / rows);

/** bench.targets one-hot, written out: the demo imports this file beside the built package, not src/. */
function oneHot(rows: number, classes: number): A {
  const y = new Float32Array(rows * classes);
  for (let i = 0; i < rows; i++) y[i * classes + ((i * 7) % classes)] = 1;
  return np.array(y).reshape([rows, classes]);
}

function prepare(w: bench.Workload): bench.Prepared {
  const s = w.spec;
  const owned: unknown[] = [];
  const keep = <T>(t: T) => (owned.push(t), t);
  const dispose = () => tree.dispose(owned as A[]);
  switch (s.kind) {
    case "gemm": {
      const a = keep(random(s.tA ? [s.K, s.M] : [s.M, s.K]));
      const b = keep(random(s.tB ? [s.N, s.K] : [s.K, s.N]));
      const f = jit((x: A, y: A) => np.matmul(s.tA ? x.transpose() : x, s.tB ? y.transpose() : y));
      return { run: () => void f(a.ref, b.ref).dataSync(), dispose };
    }
    case "conv2d": {
      const [, c] = s.input;
      const x = keep(random(s.input));
      const p = keep({ w: random([s.out, c, s.k, s.k]), b: random([s.out]) });
      const pad: [number, number][] = [
        [s.pad, s.pad],
        [s.pad, s.pad],
      ];
      const conv = (x: A, p: { w: A; b: A }) => lax.conv(x, p.w, [1, 1], pad).add(p.b.reshape([1, s.out, 1, 1]));
      if (!s.backward) {
        const f = jit(conv);
        return { run: () => void f(x.ref, tree.ref(p)).dataSync(), dispose };
      }
      // the first layer's input needs no gradient: only the weights'
      const f = s.first
        ? jit((x: A, p: { w: A; b: A }) => grad((p: { w: A; b: A }, x: A) => conv(x, p).sum())(p, x))
        : jit((x: A, p: { w: A; b: A }) => grad((xp: { x: A; p: { w: A; b: A } }) => conv(xp.x, xp.p).sum())({ x, p }));
      return { run: () => tree.leaves(f(x.ref, tree.ref(p)) as unknown as A).forEach((g) => g.dataSync()), dispose };
    }
    case "maxpool": {
      const x = keep(random(s.input));
      const f = jit(pool2);
      return { run: () => void f(x.ref).dataSync(), dispose };
    }
    case "softmax-ce": {
      const logits = keep(random([s.rows, s.classes]));
      const y = keep(oneHot(s.rows, s.classes));
      const f = jit((l: A, y: A) => grad((l: A, y: A) => crossEntropy(l, y, s.rows))(l, y));
      return { run: () => void f(logits.ref, y.ref).dataSync(), dispose };
    }
    case "sgd": {
      let p = random([s.params]);
      let v = np.zeros([s.params]);
      const g = keep(random([s.params]));
      const f = jit((p: A, v: A, g: A) => {
        const v2 = v.mul(0.9).add(g);
        const p2 = p.sub(v2.ref.mul(1e-3));
        return [p2.ref, v2, p2.sum()] as [A, A, A];
      });
      return {
        run: () => {
          const [p2, v2, check] = f(p, v, g.ref);
          p = p2;
          v = v2;
          check.dataSync();
        },
        dispose: () => (dispose(), p.dispose(), v.dispose()),
      };
    }
    case "add":
    case "relu": {
      const a = keep(random([s.n])),
        b = keep(random([s.n]));
      const f = s.kind === "add" ? jit((a: A, b: A) => a.add(b)) : jit((a: A, b: A) => (b.dispose(), nn.relu(a)));
      return { run: () => void f(a.ref, b.ref).dataSync(), dispose };
    }
    case "train":
    case "infer": {
      const arch = ARCH[s.model];
      const images = arch[0].kind === "conv";
      const x = keep(random(images ? [s.batch, 1, 28, 28] : [s.batch, 784]));
      let p = initParams(arch);
      const dropParams = () => tree.dispose(p as unknown as A[]);
      if (s.kind === "infer") {
        const f = jit((p: Params, x: A) => forward(arch, p, x));
        return { run: () => void f(tree.ref(p), x.ref).dataSync(), dispose: () => (dispose(), dropParams()) };
      }
      const y = keep(oneHot(s.batch, 10));
      let v: Params = p.map(({ w, b }) => ({ w: np.zeros(w.shape), b: np.zeros(b.shape) }));
      const loss = (p: Params, x: A, y: A) => crossEntropy(forward(arch, p, x), y, s.batch);
      const step = jit((p: Params, v: Params, x: A, y: A) => {
        const [l, g] = valueAndGrad(loss)(tree.ref(p), x, y);
        const v2 = tree.map((vi: A, gi: A) => vi.mul(0.9).add(gi), v, g) as Params;
        const p2 = tree.map((pi: A, vi: A) => pi.sub(vi.mul(0.01)), p, tree.ref(v2)) as Params;
        return [p2, v2, l] as [Params, Params, A];
      });
      return {
        run: () => {
          const [p2, v2, l] = step(p, v, x.ref, y.ref);
          p = p2;
          v = v2;
          l.dataSync();
        },
        dispose: () => (dispose(), dropParams(), tree.dispose(v as unknown as A[])),
      };
    }
  }
}

/** Its convolutions run at a fraction of a GFLOP/s: one call of these takes seconds to a minute. */
function slow(w: bench.Workload): boolean {
  const s = w.spec;
  if (s.kind === "conv2d") return s.backward && (w.flops ?? 0) > 1e8;
  return (s.kind === "train" || (s.kind === "infer" && s.batch > 1)) && ARCH[s.model][0].kind === "conv";
}

/** jax-js on its wasm device; `version` for the report (its package.json is not in its exports). */
export function jaxContender(quick: boolean, version = ""): bench.Contender {
  let started: Promise<string[]> | undefined; // once: a second init() would start it again
  return {
    name: "jax-js",
    kind: "peer",
    threads: 1,
    info: `jax-js ${version}, its wasm device, every workload under jit (in Node on one thread: its worker pool needs Web Workers)`,
    async start() {
      started ??= init("wasm");
      if (!(await started).includes("wasm")) throw new Error("jax-js has no wasm device here");
      defaultDevice("wasm");
    },
    async prepare(w) {
      if (quick && slow(w)) return "left out of --quick (one call takes seconds to a minute)";
      return prepare(w); // a missing kernel throws on the first timed call, which the runner reports
    },
  };
}
