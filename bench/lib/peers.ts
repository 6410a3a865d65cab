// TensorFlow.js as a peer, on its Wasm (XNNPACK) and CPU backends.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";

export type PeerName = "tfjs-wasm" | "tfjs-cpu";

export async function usePeer(name: PeerName): Promise<typeof tf> {
  if (name === "tfjs-wasm") setThreadsCount(1); // one thread, as every engine here
  const ok = await tf.setBackend(name === "tfjs-wasm" ? "wasm" : "cpu");
  if (!ok) throw new Error(`TensorFlow.js backend ${name} did not initialise`);
  await tf.ready();
  return tf;
}

export function peerInfo(): string {
  const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  return `TensorFlow.js ${tf.version_core} (tfjs-backend-wasm: XNNPACK, SIMD ${simd ? "on" : "off"}, 1 thread)`;
}
