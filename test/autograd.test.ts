// The tape's semantics: accumulation, noGrad, detach, retainGraph, explicit
// upstream gradients, shared subexpressions, saved tensors changed in place.
import { beforeAll, describe, expect, it } from "vitest";
import { noGrad, isGradEnabled, tensor, memory, tidy, nn } from "../src/index.js";

const F = nn.functional;
import { BACKENDS, use } from "./helpers/backends.js";

describe.each(BACKENDS)("autograd on $name", (backend) => {
  beforeAll(() => use(backend));

  it("accumulates gradients across backward calls", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([5, 7, 9]);
  });

  it("differentiates shared subexpressions (a diamond)", () => {
    const x = tensor([0.5, -1], { requiresGrad: true });
    const h = x.mul(2);
    const y = h.exp().add(h.mul(h)).sum(); // d/dx = 2 e^(2x) + 8x
    y.backward();
    const g = x.grad!.toArray() as number[];
    expect(g[0]).toBeCloseTo(2 * Math.exp(1) + 4, 5);
    expect(g[1]).toBeCloseTo(2 * Math.exp(-2) - 8, 5);
  });

  it("gives both operands the gradient of a + a", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    a.add(a).sum().backward();
    expect(a.grad!.toArray()).toEqual([3, 3]);
    expect(b.grad!.toArray()).toEqual([1, 1]);
  });

  it("takes an explicit upstream gradient", () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const y = x.mul(x);
    y.backward(
      tensor([
        [1, 0],
        [0.5, 2],
      ]),
    );
    expect(x.grad!.toArray()).toEqual([
      [2, 0],
      [3, 16],
    ]);
  });

  it("runs backward on a leaf", () => {
    const x = tensor(2, { requiresGrad: true });
    x.backward();
    expect(x.grad!.item()).toBe(1);
  });

  it("records nothing under noGrad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(isGradEnabled()).toBe(true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return x.mul(2);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
  });

  it("cuts the graph at detach()", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4], { requiresGrad: true });
    const y = x.mul(w).detach().mul(w).sum();
    y.backward();
    expect(x.grad).toBeNull();
    expect(w.grad!.toArray()).toEqual([3, 8]);
  });

  it("frees the graph after backward unless asked to retain it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/already freed.*retainGraph/);
    const z = x.exp().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(x.grad!.data()[0]).toBeCloseTo(3 * Math.E, 5);
  });

  it("requires a gradient for non-scalar outputs", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/one-element.*\[2\]/);
    expect(() => x.mul(2).backward(tensor([1, 2, 3]))).toThrow(/\[3\] does not match.*\[2\]/);
  });

  it("refuses a saved tensor that was modified in place", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(1);
    const y = h.mul(h).sum(); // saves h
    noGrad(() => h.add_(1));
    expect(() => y.backward()).toThrow(/modified in place/);
  });

  it("leaks nothing when backward() throws midway", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const before = memory();
    tidy(() => {
      const h = x.mul(1);
      const y = h.mul(h).sum();
      noGrad(() => h.add_(1));
      expect(() => y.backward()).toThrow(/modified in place/);
    });
    expect(memory()).toEqual(before);
  });

  it("frees the raw blocks the tape holds (relu masks, max-pool indices, loss targets) exactly once, with retainGraph too", () => {
    const before = memory();
    const x = tensor(
      Array.from({ length: 32 }, (_, i) => Math.sin(i)),
      { shape: [1, 2, 4, 4], requiresGrad: true },
    );
    tidy(() => {
      const loss = () => F.crossEntropy(F.maxPool2d(x.relu(), 2).reshape([2, 4]).max(1, true).reshape([1, 2]), [1]);
      const a = loss();
      a.backward(undefined, { retainGraph: true });
      const g1 = x.grad!.data();
      a.backward(); // again through the retained graph: the blocks are still there
      expect(Array.from(x.grad!.data())).toEqual(Array.from(g1, (v) => 2 * v));
      expect(() => a.backward()).toThrow(/already freed/);
      loss(); // a forward pass that is never differentiated: freed by tidy
      F.nllLoss(tensor([[0.1, 0.9]], { requiresGrad: true }).log(), [1]);
    });
    x.grad!.dispose();
    x.grad = null;
    x.dispose();
    expect(memory()).toEqual(before);
  });

  it("frees what the tape saved once backward has run", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const base = memory().tensors;
    const h = x.exp();
    const hh = h.mul(h);
    const y = hh.sum();
    const during = memory().tensors; // h, hh, y and the handles the tape saved
    y.backward();
    // x.grad is new; h, hh and y are still the caller's; the saved handles are gone.
    expect(memory().tensors).toBe(base + 4);
    expect(during).toBe(base + 6);
  });

  it("frees a forward pass that is never differentiated once its output is disposed", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const base = memory();
    const h = w.exp();
    const s = h.sigmoid();
    const out = s.sum();
    h.dispose();
    s.dispose();
    expect(memory().tensors).toBeGreaterThan(base.tensors); // out's graph still holds what it saved
    out.dispose();
    expect(memory().tensors).toBe(base.tensors);
    expect(memory().bytes).toBe(base.bytes);
  });
});
