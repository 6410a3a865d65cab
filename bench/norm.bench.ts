// Why batch norm and layer norm have kernels of their own (assembly/norm.ts):
// each layer's forward + backward at the ports' sizes, fused against the
// same normalisation composed of mean, sub, mul, sqrt and div (which the
// library would run without the kernels), in one process, rounds
// interleaved.
//
//   npm run bench:norm [-- --quick]
import { bench, init, getBackend, nn, randn, tidy, type Tensor } from "../src/index.js";
import { enableRelaxedSimd } from "../src/node/relaxed-simd.js";

const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 1 : 3;
/** Median ms per call (src/bench's timing, as every benchmark here). */
const medianMs = (fn: () => void) => bench.median(bench.timeCalls(fn, quick ? bench.QUICK : bench.FULL));
const median = bench.median;

enableRelaxedSimd();
const F = nn.functional;

/** Batch norm with batch statistics, composed: per channel of [N, C, H, W] over N, H and W. */
function batchNormComposed(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const C = x.shape[1];
  const m = x.mean(0, true).mean(2, true).mean(3, true);
  const d = x.sub(m);
  const v = d.mul(d).mean(0, true).mean(2, true).mean(3, true);
  return d
    .div(v.add(1e-5).sqrt())
    .mul(w.reshape([1, C, 1, 1]))
    .add(b.reshape([1, C, 1, 1]));
}

/** Layer norm over the last dim, composed. */
function layerNormComposed(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const m = x.mean(-1, true);
  const d = x.sub(m);
  return d.div(d.mul(d).mean(-1, true).add(1e-5).sqrt()).mul(w).add(b);
}

const CASES = [
  {
    name: "BatchNorm2d [64, 32, 26, 26] (Kaggle CNN, first block)",
    shape: [64, 32, 26, 26],
    fused: (x: Tensor, w: Tensor, b: Tensor) => F.batchNorm(x, null, null, w, b, { training: true }),
    composed: batchNormComposed,
  },
  {
    name: "LayerNorm 64 over [128, 16, 64] (SimpleViT)",
    shape: [128, 16, 64],
    fused: (x: Tensor, w: Tensor, b: Tensor) => F.layerNorm(x, 64, w, b),
    composed: layerNormComposed,
  },
];

for (const threads of [1, 2]) {
  await init({ threads });
  console.log(`${getBackend()}, ${threads} thread${threads > 1 ? "s" : ""}: forward + backward, median ms`);
  for (const c of CASES) {
    const C = c.name.startsWith("Batch") ? c.shape[1] : c.shape.at(-1)!;
    const x = randn(c.shape, { requiresGrad: true });
    const w = randn([C], { requiresGrad: true }),
      b = randn([C], { requiresGrad: true });
    const step = (f: typeof c.fused) => () =>
      tidy(() => {
        f(x, w, b).sum().backward();
        for (const t of [x, w, b]) {
          t.grad?.dispose();
          t.grad = null;
        }
      });
    const fused: number[] = [],
      composed: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      fused.push(medianMs(step(c.fused)));
      composed.push(medianMs(step(c.composed)));
    }
    const [f, k] = [median(fused), median(composed)];
    console.log(`  ${c.name}: fused ${f.toFixed(2)}, composed ${k.toFixed(2)} (${(k / f).toFixed(1)}x)`);
    for (const t of [x, w, b]) t.dispose();
  }
}
