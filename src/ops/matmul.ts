// matmul with PyTorch's rules: 1-D operands (a vector is a row on the left,
// a column on the right, and that dim is dropped again), 2-D products, and
// batched products whose leading dims broadcast ([B, H, T, d] @ [B, H, d, T],
// [B, T, K] @ [K, N]). Every product goes through the backend's SGEMM;
// backward uses its transpose flags: dA = G B^T, dB = A^T G, with no
// transposed copies, and sums over the batch dims an operand was broadcast on.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { sgemm, sgemmBatch } from "../backend/parallel.js";
import { broadcastShapes, broadcastStrides, fmtShape, sizeOf, stridesOf } from "../shape.js";
import { checkTensor } from "./util.js";
import { reshape } from "./layout.js";
import { sumTo } from "./broadcast.js";

/** C = op(A) op(B) into a new tensor; no tape. */
export function gemm(a: Tensor, transA: boolean, b: Tensor, transB: boolean, M: number, N: number, K: number): Tensor {
  const out = Tensor._empty([M, N]);
  const lda = a.shape[1],
    ldb = b.shape[1];
  const be = out._backend;
  sgemm(be, transA ? 1 : 0, transB ? 1 : 0, M, N, K, 1, a._ptr, lda, b._ptr, ldb, 0, out._ptr, N);
  return out;
}

function matmul2d(a: Tensor, b: Tensor): Tensor {
  const [M, K] = a.shape;
  const N = b.shape[1];
  const out = gemm(a, false, b, false, M, N, K);
  if (needsGrad(a, b)) {
    record(out, "matmul", [a, b], [a, b], (g, [as, bs]) => [
      a.requiresGrad ? gemm(g, false, bs, true, M, K, N) : null,
      b.requiresGrad ? gemm(as, true, g, false, K, N, M) : null,
    ]);
  }
  return out;
}

/** Byte addresses of each batch entry's matrix: base + the entry's offset under (possibly zero) batch strides. */
function pointers(base: number, batch: readonly number[], strides: readonly number[], matrix: number): number[] {
  const count = sizeOf(batch);
  const out = new Array<number>(count);
  const idx = batch.map(() => 0);
  for (let i = 0; i < count; i++) {
    let off = 0;
    for (let d = 0; d < batch.length; d++) off += idx[d] * strides[d];
    out[i] = base + off * matrix * 4;
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** [..., M, K] @ [..., K, N] with broadcast batch dims (both at least 2-D). */
function matmulBatched(a: Tensor, b: Tensor): Tensor {
  const M = a.shape.at(-2)!,
    K = a.shape.at(-1)!,
    N = b.shape.at(-1)!;
  const batchA = a.shape.slice(0, -2),
    batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(`matmul: ${fmtShape(a.shape)} x ${fmtShape(b.shape)}: batch dims`, batchA, batchB);
  const out = Tensor._empty([...batch, M, N]);
  if (out.size === 0 || K === 0) {
    out._k.fill(out._ptr, out.size, 0);
  }
  const be = out._backend;
  const sa = broadcastStrides(batchA, batch),
    sb = broadcastStrides(batchB, batch),
    own = stridesOf(batch);
  const run = (tA: number, tB: number, m: number, n: number, k: number, A: number[], lda: number, B: number[], ldb: number, C: number[]) =>
    sgemmBatch(be, tA, tB, m, n, k, 1, A, lda, B, ldb, 0, C, n);
  if (out.size > 0 && K > 0)
    run(0, 0, M, N, K, pointers(a._ptr, batch, sa, M * K), K, pointers(b._ptr, batch, sb, K * N), N, pointers(out._ptr, batch, own, M * N));
  if (needsGrad(a, b)) {
    record(out, "matmul", [a, b], [a, b], (g, [as, bs]) => {
      const full = (shape: number[]) => Tensor._empty(shape);
      const gp = pointers(g._ptr, batch, own, M * N);
      let da: Tensor | null = null,
        db: Tensor | null = null;
      if (a.requiresGrad) {
        const d = full([...batch, M, K]);
        run(0, 1, M, K, N, gp, N, pointers(bs._ptr, batch, sb, K * N), N, pointers(d._ptr, batch, own, M * K));
        da = sumTo(d, a.shape);
        d.dispose();
      }
      if (b.requiresGrad) {
        const d = full([...batch, K, N]);
        run(1, 0, K, N, M, pointers(as._ptr, batch, sa, M * K), K, gp, N, pointers(d._ptr, batch, own, K * N));
        db = sumTo(d, b.shape);
        d.dispose();
      }
      return [da, db];
    });
  }
  return out;
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  return traced("matmul", [a, b], {}, () => {
    checkTensor("matmul", a);
    checkTensor("matmul", b);
    if (a.shape.length === 0 || b.shape.length === 0) {
      throw new Error(`matmul: ${fmtShape(a.shape)} x ${fmtShape(b.shape)}: both operands need at least 1 dim`);
    }
    const K = a.shape.at(-1)!,
      K2 = b.shape.length === 1 ? b.shape[0] : b.shape.at(-2)!;
    if (K !== K2) throw new Error(`matmul: ${fmtShape(a.shape)} x ${fmtShape(b.shape)}: inner sizes ${K} and ${K2} differ`);
    if (a.shape.length === 2 && b.shape.length === 2) return matmul2d(a, b);
    // vectors become a row (left) or a column (right), dropped from the result again
    const av = a.shape.length === 1 ? reshape(a, [1, K]) : a;
    const bv = b.shape.length === 1 ? reshape(b, [K, 1]) : b;
    let out: Tensor;
    if (bv.shape.length === 2 && av.shape.length > 2) {
      // [..., M, K] @ [K, N]: one product over all rows at once
      const rows = reshape(av, [sizeOf(av.shape.slice(0, -1)), K]);
      const flat = matmul2d(rows, bv);
      out = reshape(flat, [...av.shape.slice(0, -1), bv.shape[1]]);
      rows.dispose();
      flat.dispose();
    } else {
      out = av.shape.length === 2 && bv.shape.length === 2 ? matmul2d(av, bv) : matmulBatched(av, bv);
    }
    if (av !== a) av.dispose();
    if (bv !== b) bv.dispose();
    if (a.shape.length > 1 && b.shape.length > 1) return out;
    const shape = out.shape.filter(
      (_, i) => !((a.shape.length === 1 && i === out.shape.length - 2) || (b.shape.length === 1 && i === out.shape.length - 1)),
    );
    const r = reshape(out, shape);
    out.dispose();
    return r;
  });
}
