// Stopping and going on: an optimizer's state (PyTorch's state_dict, by
// parameter index), a scheduler's counters and the random generator's state
// put into fresh objects carry a run on to the same bits as a run that never
// stopped, for every optimizer; bad state is refused before anything changes.
import { beforeAll, describe, expect, it } from "vitest";
import {
  getRngState,
  init,
  io,
  manualSeed,
  nn,
  optim,
  randn,
  setRngState,
  tensor,
  tidy,
  type RngState,
  type Tensor,
} from "../src/index.js";

const F = nn.functional;
type Make = (params: Tensor[]) => optim.Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ["SGD, Nesterov momentum", (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ["Adam", (p) => new optim.Adam(p, { lr: 0.01 })],
  ["AdamW", (p) => new optim.AdamW(p, { lr: 0.01 })],
  ["RMSprop with momentum", (p) => new optim.RMSprop(p, { lr: 0.01, momentum: 0.5 })],
  ["Adadelta", (p) => new optim.Adadelta(p)],
  ["Adagrad", (p) => new optim.Adagrad(p, { lr: 0.05, initialAccumulatorValue: 0.1 })],
];

/** A model with dropout, so that the generator's state matters too. */
function model(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(8, 3));
}

const x = () =>
  tensor(
    Array.from({ length: 24 }, (_, i) => Math.sin(i)),
    { shape: [4, 6] },
  );
const y = [0, 2, 1, 2];

function steps(m: nn.Module, opt: optim.Optimizer, n: number, scheduler?: optim.LRScheduler): number[] {
  const losses: number[] = [];
  for (let i = 0; i < n; i++) {
    tidy(() => {
      opt.zeroGrad();
      const loss = F.crossEntropy(m.forward(x()), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    });
    scheduler?.step();
  }
  return losses;
}

/** Through plain numbers, as a file would carry them. */
function serialised(sd: optim.OptimizerStateDict): optim.OptimizerStateDict {
  const state: optim.OptimizerStateDict["state"] = {};
  for (const [i, { step, ...tensors }] of Object.entries(sd.state)) {
    state[Number(i)] = {
      step,
      ...Object.fromEntries(
        Object.entries(tensors).map(([n, t]) => [n, tensor(Array.from((t as Tensor).data()), { shape: (t as Tensor).shape })]),
      ),
    };
  }
  return { state, paramGroups: JSON.parse(JSON.stringify(sd.paramGroups)) };
}

describe.each([
  ["the default backend (threads where they run)", {}],
  ["the js backend", { backend: "js" as const }],
])("resuming a run on %s", (_, options) => {
  beforeAll(() => init(options));

  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: a run stopped after 3 steps and resumed in fresh objects takes the same 3 next steps, bit for bit`, () => {
      manualSeed(7);
      const whole = model();
      const wholeOpt = make(whole.parameters());
      const scheduler = new optim.StepLR(wholeOpt, 2, 0.5);
      const all = steps(whole, wholeOpt, 6, scheduler);

      manualSeed(7);
      const first = model();
      const firstOpt = make(first.parameters());
      const firstSched = new optim.StepLR(firstOpt, 2, 0.5);
      expect(steps(first, firstOpt, 3, firstSched)).toEqual(all.slice(0, 3));
      const saved = {
        weights: Object.fromEntries(
          Object.entries(first.stateDict()).map(([k, t]) => [k, tensor(Array.from(t.data()), { shape: t.shape })]),
        ),
        optimizer: serialised(firstOpt.stateDict()),
        scheduler: firstSched.stateDict(),
        rng: JSON.parse(JSON.stringify(getRngState())) as RngState,
      };
      firstOpt.dispose();

      manualSeed(99); // a different initialisation and generator, all of it replaced below
      const resumed = model();
      const resumedOpt = make(resumed.parameters());
      resumed.loadStateDict(saved.weights);
      resumedOpt.loadStateDict(saved.optimizer);
      const resumedSched = new optim.StepLR(resumedOpt, 2, 0.5); // made after the load: its base rate comes from the state
      resumedSched.loadStateDict(saved.scheduler);
      setRngState(saved.rng);
      expect(steps(resumed, resumedOpt, 3, resumedSched)).toEqual(all.slice(3));
      expect(resumedOpt.lr).toBe(wholeOpt.lr);
      const a = whole.parameters().map((p) => Array.from(p.data()));
      expect(resumed.parameters().map((p) => Array.from(p.data()))).toEqual(a);
    });
  }

  it("goes on from a checkpoint file's bytes (model, optimizer, scheduler, generator, best weights, the caller's fields)", () => {
    manualSeed(5);
    const whole = model();
    const wholeOpt = new optim.Adam(whole.parameters(), { lr: 0.01 });
    const wholeSched = new optim.ExponentialLR(wholeOpt, 0.9);
    const all = steps(whole, wholeOpt, 6, wholeSched);

    manualSeed(5);
    const first = model();
    const firstOpt = new optim.Adam(first.parameters(), { lr: 0.01 });
    const firstSched = new optim.ExponentialLR(firstOpt, 0.9);
    steps(first, firstOpt, 3, firstSched);
    const bytes = io.saveCheckpoint({
      model: first.stateDict(),
      optimizer: firstOpt.stateDict(),
      scheduler: firstSched.stateDict(),
      rng: getRngState(),
      tensors: { best: first.stateDict() },
      meta: { epoch: 3, bestValidationError: 0.0123 },
    });
    expect(() => io.loadCheckpoint(io.saveSafetensors(first.stateDict()))).toThrow(/loadCheckpoint: not a checkpoint/);

    manualSeed(1);
    const c = io.loadCheckpoint(bytes);
    expect(c.meta).toEqual({ epoch: 3, bestValidationError: 0.0123 });
    expect(Object.keys(c.tensors!.best)).toEqual(Object.keys(first.stateDict()));
    const resumed = model();
    const resumedOpt = new optim.Adam(resumed.parameters(), { lr: 0.01 });
    const resumedSched = new optim.ExponentialLR(resumedOpt, 0.9);
    resumed.loadStateDict(c.model);
    resumedOpt.loadStateDict(c.optimizer!);
    resumedSched.loadStateDict(c.scheduler!);
    setRngState(c.rng!);
    expect(steps(resumed, resumedOpt, 3, resumedSched)).toEqual(all.slice(3));
    expect(resumed.parameters().map((p) => Array.from(p.data()))).toEqual(whole.parameters().map((p) => Array.from(p.data())));
  });

  it("gives PyTorch's layout: state by parameter index with its step, one group of hyperparameters", () => {
    const m = new nn.Linear(3, 2);
    const opt = new optim.Adam(m.parameters(), { lr: 0.02 });
    expect(opt.stateDict()).toEqual({
      state: {},
      paramGroups: [{ lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, params: [0, 1] }],
    });
    m.weight.grad = randn([2, 3]);
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(["0"]); // the bias had no gradient: no state, as PyTorch
    expect(Object.keys(sd.state[0])).toEqual(["step", "expAvg", "expAvgSq"]);
    expect(sd.state[0].step).toBe(1);
    expect((sd.state[0].expAvg as Tensor).shape).toEqual([2, 3]);
    const sgd = new optim.SGD(m.parameters(), { momentum: 0.9 });
    sgd.step();
    expect(Object.keys(sgd.stateDict().state[0])).toEqual(["step", "momentumBuffer"]);
  });

  it("refuses a state dict that does not fit, and changes nothing then", () => {
    const m = new nn.Linear(3, 2);
    const opt = new optim.Adam(m.parameters());
    m.weight.grad = randn([2, 3]);
    opt.step();
    const good = opt.stateDict();
    const other = new optim.Adam(new nn.Linear(3, 2).parameters(), { betas: [0.8, 0.999] });
    expect(() => other.loadStateDict(good)).toThrow(/Adam.loadStateDict: betas is \[0.9,0.999\] in the state dict but \[0.8,0.999\] here/);
    expect(() => new optim.SGD(m.parameters()).loadStateDict(good)).toThrow(
      /SGD.loadStateDict: momentum is undefined in the state dict but 0 here/,
    );
    expect(() => new optim.Adam([m.weight]).loadStateDict(good)).toThrow(/the state dict has 2 parameters, this optimizer 1/);
    const wrongShape = { ...good, state: { 0: { step: 1, expAvg: randn([3, 2]), expAvgSq: randn([2, 3]) } } };
    const fresh = new optim.Adam(new nn.Linear(3, 2).parameters());
    expect(() => fresh.loadStateDict(wrongShape)).toThrow(/expAvg of parameter 0 must be a live tensor of its shape \[2, ?3\]/);
    expect(fresh.stateDict().state).toEqual({});
    expect(() => fresh.loadStateDict({ state: {}, paramGroups: [] } as never)).toThrow(TypeError);
    expect(() => new optim.StepLR(opt, 1).loadStateDict({ epoch: 3 })).toThrow(/StepLR.loadStateDict: expected a number baseLr/);
  });

  it("carries ReduceLROnPlateau's best metric and counters", () => {
    const make = () => new optim.SGD(new nn.Linear(2, 2).parameters(), { lr: 1 });
    const metrics = [5, 4, 4, 4, 4, 4, 3, 3, 3];
    const whole = new optim.ReduceLROnPlateau(make(), { patience: 1 });
    const lrs = metrics.map((v) => (whole.step(v), whole.getLastLr()));
    const first = new optim.ReduceLROnPlateau(make(), { patience: 1 });
    for (const v of metrics.slice(0, 4)) first.step(v);
    const opt = make();
    opt.lr = first.optimizer.lr;
    const resumed = new optim.ReduceLROnPlateau(opt, { patience: 1 });
    resumed.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())));
    expect(metrics.slice(4).map((v) => (resumed.step(v), resumed.getLastLr()))).toEqual(lrs.slice(4));
  });

  it("repeats the generator's draws from a saved state, and refuses a state that is not one", () => {
    manualSeed(3);
    randn([3]).dispose(); // an odd number of normals leaves Box-Muller's spare waiting
    const state = getRngState();
    expect(state.spare).not.toBeNull();
    const after = Array.from(randn([5]).data());
    setRngState(state);
    expect(Array.from(randn([5]).data())).toEqual(after);
    expect(() => setRngState({ words: [0, 0, 0, 0], spare: null })).toThrow(/not all zero/);
    expect(() => setRngState({ words: [1, 2, 3], spare: null } as never)).toThrow(/four 32-bit integers/);
    expect(() => setRngState({ words: [1, 2, 3, 4], spare: NaN })).toThrow(/spare must be a finite number or null/);
  });
});
