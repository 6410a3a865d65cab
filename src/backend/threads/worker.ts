// One thread of the pool (Node worker_threads or a browser Worker): it
// instantiates the caller's compiled module over the same shared memory,
// then runs the programs the caller leaves in its slot, round after round,
// until the pool stops. The pool starts workers from this source text, so
// there is no worker file for a bundler to find or a page to serve. It is a
// string, not a function's toString(): a bundler that keeps function names
// (esbuild's keepNames, which tsx uses) would make the function call helpers
// the worker does not have. The layout's numbers come from protocol.ts;
// test/threads.test.ts runs every kernel family through it.
import { DONE, FAILED, FAILED_KERNEL, MESSAGE_AT, MESSAGE_BYTES, PENDING, PROGRAM_AT, SPINS, STOP, WAKE } from "./protocol.js";

export const workerSource = `"use strict";
const PENDING = ${PENDING}, STOP = ${STOP}, FAILED = ${FAILED}, FAILED_KERNEL = ${FAILED_KERNEL}, SPINS = ${SPINS};
function start(s, port) {
  const instance = new WebAssembly.Instance(s.module, { env: { memory: s.memory } });
  const fns = s.names.map((n) => instance.exports[n]);
  const buffer = s.memory.buffer;
  const control = new Int32Array(buffer, s.control, 16);
  const done = new Int32Array(buffer, s.slot + ${DONE}, 1);
  const wake = new Int32Array(buffer, s.slot + ${WAKE}, 1);
  const program = new Float64Array(buffer, s.slot + ${PROGRAM_AT});
  // the first failure of a round names its kernel and thread, and says why
  function fail(fn, e) {
    if (Atomics.compareExchange(control, FAILED, 0, s.index) !== 0) return;
    Atomics.store(control, FAILED_KERNEL, fn);
    const text = new TextEncoder().encode(String(e && e.message ? e.name + ": " + e.message : e)).subarray(0, ${MESSAGE_BYTES - 1});
    const message = new Uint8Array(buffer, s.control + ${MESSAGE_AT}, ${MESSAGE_BYTES});
    message.fill(0);
    message.set(text);
  }
  // read the wake word before saying ready: the caller may start a round the moment it hears
  let seen = Atomics.load(wake, 0);
  port.postMessage("ready");
  for (;;) {
    for (let i = 0; i < SPINS && Atomics.load(wake, 0) === seen; i++);
    // a spurious wake-up waits again
    while (Atomics.load(wake, 0) === seen) Atomics.wait(wake, 0, seen);
    seen = Atomics.load(wake, 0);
    if (Atomics.load(control, STOP) !== 0) return;
    let fn = -1;
    try {
      const calls = program[0];
      for (let c = 0, p = 1; c < calls; c++) {
        fn = program[p];
        const argc = program[p + 1];
        fns[fn].apply(null, program.subarray(p + 2, p + 2 + argc));
        p += 2 + argc;
      }
    } catch (e) {
      fail(fn, e);
    }
    Atomics.store(done, 0, seen);
    if (Atomics.sub(control, PENDING, 1) === 1) Atomics.notify(control, PENDING);
  }
}
const threads = typeof process === "object" && process.getBuiltinModule ? process.getBuiltinModule("node:worker_threads") : undefined;
if (threads && threads.parentPort) {
  threads.parentPort.once("message", (s) => start(s, threads.parentPort));
} else {
  self.onmessage = (e) => {
    self.onmessage = null;
    start(e.data, self);
  };
}
`;
