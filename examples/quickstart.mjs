// The README example: run with `npm run example` (after `npm run build`).
import { init, getBackend, tensor, randn, manualSeed } from "../dist/index.js";

await init();
manualSeed(0);
const x = tensor([
  [1, 2],
  [3, 4],
]);
const w = randn([2, 3], { requiresGrad: true });
const loss = x.matmul(w).relu().sum();
loss.backward();
console.log(`backend: ${getBackend()}`);
console.log("loss:", loss.item());
console.log("w.grad:", w.grad.toArray());
