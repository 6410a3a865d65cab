// TensorFlow.js as a peer, on its Wasm (XNNPACK) and CPU backends.
// The union package: core, the CPU backend, layers and the gradients that
// tf.grads needs (tfjs-core alone registers none).
import * as tf from "@tensorflow/tfjs";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";

export type PeerName = "tfjs-wasm" | "tfjs-cpu";

export type TF = typeof tf;

export async function usePeer(name: PeerName): Promise<TF> {
  if (name === "tfjs-wasm") setThreadsCount(1); // one thread, as every engine here
  const ok = await tf.setBackend(name === "tfjs-wasm" ? "wasm" : "cpu");
  if (!ok) throw new Error(`TensorFlow.js backend ${name} did not initialise`);
  await tf.ready();
  return tf;
}

export function peerInfo(): string {
  // the flag is evaluated when the wasm backend starts: not at all when --engines leaves it out
  let simd = "not started";
  try {
    simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD on" : "SIMD off";
  } catch {
    /* keeps "not started" */
  }
  return `TensorFlow.js ${tf.version_core} (tfjs-backend-wasm: XNNPACK, ${simd}, 1 thread)`;
}
