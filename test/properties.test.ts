// Properties over random shapes and dims (fast-check, seeded): broadcasting
// binary ops and reductions against the float64 reference, on every backend
// and thread count. (The layout ops have theirs in layout.test.ts.)
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as wg from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import { expectClose } from "./helpers/gradcheck.js";
import * as ref from "./helpers/ref.js";

const RUNS = { numRuns: 30, seed: 7 };
const dims = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 4 });

/** Two shapes that broadcast: b drops leading dims of a and sets some of the rest to 1 (either way round). */
const pairArb = fc
  .tuple(dims, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.nat(4), fc.boolean())
  .map(([a, ones, drop, swap]) => {
    const b = a.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, a.length));
    return swap ? ([b, a] as const) : ([a, b] as const);
  });

const BINARY: [string, (a: wg.Tensor, b: wg.Tensor) => wg.Tensor, (x: number, y: number) => number][] = [
  ["add", (a, b) => a.add(b), (x, y) => x + y],
  ["sub", (a, b) => a.sub(b), (x, y) => x - y],
  ["mul", (a, b) => a.mul(b), (x, y) => x * y],
  ["div", (a, b) => a.div(b.abs().add(0.5)), (x, y) => x / (Math.abs(y) + 0.5)],
  ["maximum", (a, b) => wg.maximum(a, b), Math.max],
  ["minimum", (a, b) => wg.minimum(a, b), Math.min],
];

const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const REDUCE: [string, (x: wg.Tensor, d: number, k: boolean) => wg.Tensor, (xs: number[]) => number][] = [
  ["sum", (x, d, k) => x.sum(d, k), sumOf],
  ["mean", (x, d, k) => x.mean(d, k), (xs) => sumOf(xs) / xs.length],
  ["max", (x, d, k) => x.max(d, k), (xs) => Math.max(...xs)],
  ["min", (x, d, k) => x.min(d, k), (xs) => Math.min(...xs)],
  ["var (population)", (x, d, k) => x.var(d, k, 0), (xs) => sumOf(xs.map((v) => (v - sumOf(xs) / xs.length) ** 2)) / xs.length],
  ["logsumexp", (x, d, k) => x.logsumexp(d, k), (xs) => Math.log(sumOf(xs.map(Math.exp)))],
];

describe.each(BACKENDS)("properties on $name", (backend) => {
  beforeAll(() => use(backend));

  it.each(BINARY)("%s broadcasts any two compatible shapes as the float64 reference does", (_name, op, f) => {
    fc.assert(
      fc.property(pairArb, ([sa, sb]) => {
        const a = wg.randn([...sa]),
          b = wg.randn([...sb]);
        const out = op(a, b);
        const r = ref.binary(ref.arr([...sa], a.data()), ref.arr([...sb], b.data()), f);
        expect(out.shape).toEqual(r.shape);
        expectClose(out.data(), r.data, 1e-6, 1e-6, "values");
        for (const t of [a, b, out]) t.dispose();
      }),
      RUNS,
    );
  });

  it.each(REDUCE)("%s over any dim (negative half the time), with and without keepDim", (_name, op, f) => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.boolean(), (shape, pick, keep) => {
        const d = pick % shape.length;
        const dim = pick % 2 ? d - shape.length : d;
        const x = wg.randn(shape);
        const out = op(x, dim, keep);
        const r = ref.reduce(ref.arr(shape, x.data()), d, keep, f);
        expect(out.shape).toEqual(r.shape);
        expectClose(out.data(), r.data, 2e-5, 2e-5, "values");
        x.dispose();
        out.dispose();
      }),
      RUNS,
    );
  });
});
