// lucidrains/vit-pytorch's SimpleViT on MNIST with wasmgrad: 7x7 patches,
// fixed 2-D sin-cos position embeddings, 4 pre-norm transformer blocks
// (4 heads of 16, MLP 128, GELU), mean pooling, a LayerNorm + Linear head;
// Adam (lr 1e-3), batches of 128, MNIST's mean/std normalisation.
//   node examples/simple-vit.mjs [--epochs 10] [--limit N] [--threads N] [--json]
import { nn, optim, tensor, keep, matmul } from "wasmgrad";
import { mnist, options, run } from "./lib/mnist-run.mjs";

/** The fixed position embeddings of an h x w grid of patches: [h w, dim], sin and cos of x and y at dim / 4 frequencies. */
function posembSincos2d(h, w, dim, temperature = 10000) {
  const quarter = dim / 4;
  const pe = new Float32Array(h * w * dim);
  for (let i = 0; i < h * w; i++) {
    const [y, x] = [Math.floor(i / w), i % w];
    for (let k = 0; k < quarter; k++) {
      const omega = 1 / temperature ** (k / (quarter - 1));
      pe[i * dim + k] = Math.sin(x * omega);
      pe[i * dim + quarter + k] = Math.cos(x * omega);
      pe[i * dim + 2 * quarter + k] = Math.sin(y * omega);
      pe[i * dim + 3 * quarter + k] = Math.cos(y * omega);
    }
  }
  return keep(tensor(pe, { shape: [h * w, dim] }));
}

class FeedForward extends nn.Module {
  constructor(dim, hiddenDim) {
    super();
    this.net = this.registerModule(
      "net",
      new nn.Sequential(new nn.LayerNorm(dim), new nn.Linear(dim, hiddenDim), new nn.GELU(), new nn.Linear(hiddenDim, dim)),
    );
  }
  forward(x) {
    return this.net.forward(x);
  }
}

class Attention extends nn.Module {
  constructor(dim, heads = 8, dimHead = 64) {
    super();
    const inner = dimHead * heads;
    this.heads = heads;
    this.scale = dimHead ** -0.5;
    this.norm = this.registerModule("norm", new nn.LayerNorm(dim));
    this.attend = this.registerModule("attend", new nn.Softmax(-1));
    this.toQkv = this.registerModule("to_qkv", new nn.Linear(dim, inner * 3, { bias: false }));
    this.toOut = this.registerModule("to_out", new nn.Linear(inner, dim, { bias: false }));
  }
  forward(x) {
    const [b, n] = x.shape;
    x = this.norm.forward(x);
    // b n (h d) -> b h n d
    const [q, k, v] = this.toQkv
      .forward(x)
      .chunk(3, -1)
      .map((t) => t.reshape([b, n, this.heads, -1]).permute(0, 2, 1, 3));
    const dots = matmul(q, k.transpose(-1, -2)).mul(this.scale);
    const attn = this.attend.forward(dots);
    // b h n d -> b n (h d)
    const out = matmul(attn, v).permute(0, 2, 1, 3).reshape([b, n, -1]);
    return this.toOut.forward(out);
  }
}

class Transformer extends nn.Module {
  constructor(dim, depth, heads, dimHead, mlpDim) {
    super();
    this.layers = this.registerModule("layers", new nn.ModuleList());
    for (let i = 0; i < depth; i++)
      this.layers.append(new nn.ModuleList([new Attention(dim, heads, dimHead), new FeedForward(dim, mlpDim)]));
  }
  forward(x) {
    for (const [attn, ff] of this.layers) {
      x = attn.forward(x).add(x);
      x = ff.forward(x).add(x);
    }
    return x;
  }
}

class SimpleViT extends nn.Module {
  constructor({ imageSize, patchSize, numClasses, dim, depth, heads, mlpDim, channels = 3, dimHead = 64 }) {
    super();
    this.patch = patchSize;
    const grid = imageSize / patchSize;
    const patchDim = channels * patchSize * patchSize;
    this.patchNorm = this.registerModule("patch_norm", new nn.LayerNorm(patchDim));
    this.toPatchEmbedding = this.registerModule(
      "to_patch_embedding",
      new nn.Sequential(new nn.Linear(patchDim, dim), new nn.LayerNorm(dim)),
    );
    this.posEmbedding = posembSincos2d(grid, grid, dim);
    this.transformer = this.registerModule("transformer", new Transformer(dim, depth, heads, dimHead, mlpDim));
    this.linearHead = this.registerModule("linear_head", new nn.Sequential(new nn.LayerNorm(dim), new nn.Linear(dim, numClasses)));
  }
  forward(img) {
    const [b, c, H, W] = img.shape;
    const p = this.patch;
    // b c (h p1) (w p2) -> b (h w) (p1 p2 c)
    const patches = img
      .reshape([b, c, H / p, p, W / p, p])
      .permute(0, 2, 4, 3, 5, 1)
      .reshape([b, (H / p) * (W / p), p * p * c]);
    let x = this.toPatchEmbedding.forward(this.patchNorm.forward(patches));
    x = x.add(this.posEmbedding);
    x = this.transformer.forward(x);
    return this.linearHead.forward(x.mean(1));
  }
}

const o = options({ epochs: 10 });
const loaders = await mnist(o, { batchSize: 128, mean: 0.1307, std: 0.3081 });
const model = new SimpleViT({
  imageSize: 28,
  patchSize: 7,
  numClasses: 10,
  dim: 64,
  depth: 4,
  heads: 4,
  mlpDim: 128,
  channels: 1,
  dimHead: 16,
});
await run("simple-vit", model, o, loaders, { optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }) });
