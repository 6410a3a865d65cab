// Every new op and layer against PyTorch's own values (test/fixtures/torch/
// ops.json, written by make.py beside it): the output and the gradient of
// sum(output * cos(i)) for each input, within 2e-4 (1 + |value|), on every
// backend and thread count; and what a layer leaves behind (running
// statistics).
import { beforeAll, describe, expect, it } from "vitest";
import * as wg from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import fixture from "./fixtures/torch/ops.json" with { type: "json" };

const F = wg.nn.functional;
type T = wg.Tensor;
interface Arr {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  inputs: Record<string, Arr>;
  output: Arr;
  grads: Record<string, Arr>;
  state: Record<string, Arr>;
}

/** Each case's computation, as a wasmgrad user writes it; `state` receives tensors to compare after. */
const OPS: Record<string, (x: Record<string, T>, state: Record<string, T>) => T> = {
  permute: ({ x }) => x.permute(2, 0, 1),
  narrow: ({ x }) => x.narrow(1, -4, 3),
  cat: ({ a, b, c }) => wg.cat([a, b, c], -1),
  stack: ({ a, b }) => wg.stack([a, b], 1),
  split: ({ x }) => wg.cat(x.split(2).map((p, i) => p.mul(i + 1))),
  chunk: ({ x }) =>
    wg.cat(
      x.chunk(3, 1).map((p) => p.exp()),
      1,
    ),
  pad: ({ x }) => F.pad(x, [1, 2, -1, 1], 0.5),
  expand: ({ x }) => x.expand(2, 3, 4),
  unsqueeze_squeeze: ({ x }) => x.squeeze().unsqueeze(0).mul(2),
  indexSelect: ({ x }) => x.indexSelect(0, [3, 0, 3, 1]),
  gather: ({ x }) =>
    x.gather(1, [
      [0, 0, 3],
      [1, 2, 2],
      [3, 3, 0],
    ]),
  abs: ({ x }) => x.abs(),
  clamp: ({ x }) => x.clamp(-0.5, 1),
  clampMin: ({ x }) => x.clamp(0.3),
  maximum: ({ a, b }) => wg.maximum(a, b),
  minimum: ({ a, b }) => wg.minimum(a, b),
  maximumTies: ({ a, b }) => wg.maximum(a, b),
  where: ({ a, b }) => wg.where(wg.tensor([1, 0, -2, 0]), a, b),
  leakyRelu: ({ x }) => F.leakyRelu(x, 0.2),
  elu: ({ x }) => F.elu(x, 1.5),
  gelu: ({ x }) => F.gelu(x),
  geluTanh: ({ x }) => F.gelu(x, "tanh"),
  silu: ({ x }) => F.silu(x),
  softplus: ({ x }) => F.softplus(x),
  softplusBeta: ({ x }) => F.softplus(x, 2, 3),
  var: ({ x }) => x.var(1),
  varAll: ({ x }) => x.var(),
  stdKeep: ({ x }) => x.std(0, true, 0),
  logsumexp: ({ x }) => x.logsumexp(1),
  min: ({ x }) => x.min(1),
  minAll: ({ x }) => x.min(),
  matmul4d: ({ a, b }) => a.matmul(b),
  matmul3dx2d: ({ a, b }) => a.matmul(b),
  matmulBroadcast: ({ a, b }) => a.matmul(b),
  matmulVec: ({ a, b }) => a.matmul(b),
  linear3d: ({ x, w, b }) => F.linear(x, w, b),
  batchNorm2dTrain: bnTrain,
  batchNorm1dTrain: bnTrain,
  batchNorm1dTrain3d: bnTrain,
  batchNorm2dEval: ({ x, w, b, rm, rv }) => F.batchNorm(x, rm, rv, w, b, { training: false }),
  layerNorm: ({ x, w, b }) => F.layerNorm(x, [8], w, b),
  layerNorm2: ({ x, w, b }) => F.layerNorm(x, [4, 5], w, b),
  layerNormPlain: ({ x }) => F.layerNorm(x, 6),
  conv2dGroups: ({ x, w, b }) => F.conv2d(x, w, b, { stride: 2, padding: 1, groups: 2 }),
  conv2dDepthwise: ({ x, w, b }) => F.conv2d(x, w, b, { padding: 1, groups: 3 }),
  convTranspose2d: ({ x, w, b }) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
  convTranspose2dGroups: ({ x, w }) => F.convTranspose2d(x, w, null, { groups: 2, dilation: 2 }),
  embedding: ({ w }) =>
    F.embedding(
      [
        [1, 5, 1],
        [0, 2, 5],
      ],
      w,
      5,
    ),
};

function bnTrain({ x, w, b }: Record<string, T>, state: Record<string, T>): T {
  const C = x.shape[1];
  state.running_mean = wg.keep(wg.zeros([C])); // outlive the tidy() the case runs in
  state.running_var = wg.keep(wg.ones([C]));
  return F.batchNorm(x, state.running_mean, state.running_var, w, b, { training: true, momentum: 0.1 });
}

/** |a - e| <= 2e-4 (1 + |e|) everywhere, the target. */
function expectTorch(actual: T, expected: Arr, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  const a = actual.data();
  for (let i = 0; i < a.length; i++) {
    const e = expected.data[i];
    if (!(Math.abs(a[i] - e) <= 2e-4 * (1 + Math.abs(e)))) expect.fail(`${what}[${i}]: got ${a[i]}, PyTorch ${e}`);
  }
}

interface OptimCase {
  name: string;
  start: Arr[];
  grads: Arr[][];
  after: Arr[][];
}
interface ClipCase {
  kind: "norm" | "value";
  arg: number;
  normType: number | "inf" | null;
  before: Arr[];
  after: Arr[];
  total: number | null;
}
interface PlateauCase {
  options: Record<string, number | string>;
  metrics: number[];
  lrs: number[];
}
const { cases, optimizers, clips, plateaus } = fixture as unknown as {
  cases: Case[];
  optimizers: OptimCase[];
  clips: ClipCase[];
  plateaus: PlateauCase[];
};

const OPTIMIZERS: Record<string, (ps: T[]) => wg.optim.Optimizer> = {
  Adadelta: (ps) => new wg.optim.Adadelta(ps),
  AdadeltaOptions: (ps) => new wg.optim.Adadelta(ps, { lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.1 }),
  Adagrad: (ps) => new wg.optim.Adagrad(ps),
  AdagradOptions: (ps) => new wg.optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.05, weightDecay: 0.01, initialAccumulatorValue: 0.2, eps: 1e-8 }),
};

describe.each(BACKENDS)("PyTorch's values on $name", (backend) => {
  beforeAll(() => use(backend));

  it("has a computation for every case of the fixture", () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(OPS).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const before = wg.memory();
    const inputs = Object.fromEntries(
      Object.entries(c.inputs).map(([k, v]) => [k, wg.tensor(v.data, { shape: v.shape, requiresGrad: k in c.grads })]),
    );
    const state: Record<string, T> = {};
    const out = wg.tidy(() => OPS[c.name](inputs, state));
    expectTorch(out, c.output, "output");
    const up = wg.tensor(
      Float32Array.from({ length: out.size }, (_, i) => Math.cos(i)),
      { shape: out.shape },
    );
    if (Object.keys(c.grads).length > 0) out.backward(up);
    for (const [k, g] of Object.entries(c.grads)) {
      expect(inputs[k].grad, `gradient of ${k}`).not.toBeNull();
      expectTorch(inputs[k].grad!, g, `gradient of ${k}`);
    }
    for (const [k, s] of Object.entries(c.state)) expectTorch(state[k], s, k);
    for (const t of [...Object.values(inputs), ...Object.values(state), out, up]) t.dispose();
    expect(wg.memory().tensors, "no tensor leaked").toBe(before.tensors);
    expect(wg.memory().bytes, "no byte leaked").toBe(before.bytes);
  });
});

describe.each(BACKENDS)("PyTorch's optimizers, clipping and plateau schedule on $name", (backend) => {
  beforeAll(() => use(backend));
  const make = (a: Arr, requiresGrad = false) => wg.tensor(a.data, { shape: a.shape, requiresGrad });

  it.each(optimizers.map((c) => [c.name, c] as const))("%s: six steps", (_name, c) => {
    const ps = c.start.map((a) => make(a, true));
    const opt = OPTIMIZERS[c.name](ps);
    c.grads.forEach((gs, step) => {
      ps.forEach((p, i) => {
        p.grad?.dispose();
        p.grad = make(gs[i]);
      });
      opt.step();
      ps.forEach((p, i) => expectTorch(p, c.after[step][i], `step ${step + 1}, parameter ${i}`));
    });
    opt.dispose();
    for (const p of ps) p.dispose();
  });

  it.each(clips.map((c) => [`${c.kind} ${c.arg} ${c.normType ?? ""}`, c] as const))("clip %s", (_name, c) => {
    const ps = c.before.map((a) => {
      const p = wg.zeros(a.shape, { requiresGrad: true });
      p.grad = make(a);
      return p;
    });
    if (c.kind === "norm") {
      const total = wg.nn.utils.clipGradNorm_(ps, c.arg, c.normType === "inf" ? Infinity : (c.normType as number));
      expect(Math.abs(total - c.total!)).toBeLessThanOrEqual(2e-4 * (1 + Math.abs(c.total!)));
    } else wg.nn.utils.clipGradValue_(ps, c.arg);
    ps.forEach((p, i) => expectTorch(p.grad!, c.after[i], `gradient ${i}`));
    for (const p of ps) p.dispose();
  });

  it.each(plateaus.map((c, i) => [i, c] as const))("ReduceLROnPlateau %i", (_i, c) => {
    const p = wg.zeros([1], { requiresGrad: true });
    const opt = new wg.optim.SGD([p], { lr: 0.1 });
    const o = c.options;
    const sched = new wg.optim.ReduceLROnPlateau(opt, {
      mode: o.mode as "min" | "max" | undefined,
      patience: o.patience as number,
      factor: o.factor as number | undefined,
      threshold: o.threshold as number | undefined,
      thresholdMode: o.threshold_mode as "rel" | "abs" | undefined,
      cooldown: o.cooldown as number | undefined,
      minLr: o.min_lr as number | undefined,
    });
    const lrs = c.metrics.map((m) => {
      sched.step(m);
      return opt.lr;
    });
    lrs.forEach((lr, i) => expect(lr).toBeCloseTo(c.lrs[i], 12));
    p.dispose();
  });

  it("ReduceLROnPlateau counts a NaN metric as a bad epoch, as PyTorch", () => {
    const p = wg.zeros([1], { requiresGrad: true });
    const opt = new wg.optim.SGD([p], { lr: 0.1 });
    const sched = new wg.optim.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
    for (const m of [1, NaN, NaN]) sched.step(m);
    expect(opt.lr).toBe(0.05);
    expect(() => sched.step("1" as never)).toThrow(TypeError);
    p.dispose();
  });
});
