// matmul of 2-D tensors through the backend's SGEMM. Backward uses the GEMM's
// transpose flags: dA = G B^T, dB = A^T G, with no transposed copies.
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { sgemm } from "../backend/parallel.js";
import { fmtShape } from "../shape.js";
import { checkTensor } from "./util.js";

/** C = op(A) op(B) into a new tensor; no tape. */
export function gemm(a: Tensor, transA: boolean, b: Tensor, transB: boolean, M: number, N: number, K: number): Tensor {
  const out = Tensor._empty([M, N]);
  const lda = a.shape[1],
    ldb = b.shape[1];
  const be = out._backend;
  sgemm(be, transA ? 1 : 0, transB ? 1 : 0, M, N, K, 1, a._ptr, lda, b._ptr, ldb, 0, out._ptr, N);
  return out;
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor("matmul", a);
  checkTensor("matmul", b);
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new Error(`matmul: ${fmtShape(a.shape)} x ${fmtShape(b.shape)}: both operands must be 2-D`);
  }
  const [M, K] = a.shape;
  const [K2, N] = b.shape;
  if (K !== K2) throw new Error(`matmul: ${fmtShape(a.shape)} x ${fmtShape(b.shape)}: inner sizes ${K} and ${K2} differ`);
  const out = gemm(a, false, b, false, M, N, K);
  if (needsGrad(a, b)) {
    record(out, "matmul", [a, b], [a, b], (g, [as, bs]) => [
      a.requiresGrad ? gemm(g, false, bs, true, M, K, N) : null,
      b.requiresGrad ? gemm(as, true, g, false, K, N, M) : null,
    ]);
  }
  return out;
}
