// The js backend: the kernel ABI implemented in plain TypeScript over typed
// views of the same kind of heap the Wasm builds use.
import type { Kernels } from "../kernels.js";
import type { Views } from "./views.js";
import * as memory from "./memory.js";
import * as elementwise from "./elementwise.js";
import * as broadcast from "./broadcast.js";
import * as reduce from "./reduce.js";
import * as softmax from "./softmax.js";
import * as gemm from "./gemm.js";
import * as conv from "./conv.js";
import * as pool from "./pool.js";
import * as loss from "./loss.js";
import * as optim from "./optim.js";
import * as gather from "./gather.js";
import * as norm from "./norm.js";
import * as augment from "./augment.js";

export type JsKernels = Kernels & Views;

export function createJsKernels(views: Views): JsKernels {
  return {
    f32: views.f32,
    i32: views.i32,
    u8: views.u8,
    ...memory,
    ...elementwise,
    ...broadcast,
    ...reduce,
    ...softmax,
    ...gemm,
    ...conv,
    ...pool,
    ...loss,
    ...optim,
    ...gather,
    ...norm,
    ...augment,
  };
}
