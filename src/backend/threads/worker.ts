// One thread of the pool (Node worker_threads or a browser Worker): it
// instantiates the caller's compiled module over the same shared memory,
// then runs the programs the caller leaves in its slot, round after round,
// until the pool stops. The pool starts workers from this source text, so
// there is no worker file for a bundler to find or a page to serve. It is a
// string, not a function's toString(): a bundler that keeps function names
// (esbuild's keepNames, which tsx uses) would make the function call helpers
// the worker does not have. The numbers are protocol.ts's SEQ, PENDING, STOP,
// FAILED and SPINS; test/threads.test.ts runs every kernel family through it.

export const workerSource = `"use strict";
const SEQ = 0, PENDING = 1, STOP = 2, FAILED = 3, SPINS = 20000;
function start(s, port) {
  const instance = new WebAssembly.Instance(s.module, { env: { memory: s.memory } });
  const fns = s.names.map((n) => instance.exports[n]);
  const buffer = s.memory.buffer;
  const control = new Int32Array(buffer, s.control, 16);
  const program = new Float64Array(buffer, s.slot);
  // read the round counter before saying ready: the caller may start a round the moment it hears
  let seen = Atomics.load(control, SEQ);
  port.postMessage("ready");
  for (;;) {
    for (let i = 0; i < SPINS && Atomics.load(control, SEQ) === seen; i++);
    // a wake-up without a new round (spurious, or meant for another waiter) waits again
    while (Atomics.load(control, SEQ) === seen) Atomics.wait(control, SEQ, seen);
    seen = Atomics.load(control, SEQ);
    if (Atomics.load(control, STOP) !== 0) return;
    try {
      const calls = program[0];
      for (let c = 0, p = 1; c < calls; c++) {
        const argc = program[p + 1];
        fns[program[p]].apply(null, program.subarray(p + 2, p + 2 + argc));
        p += 2 + argc;
      }
    } catch (e) {
      Atomics.store(control, FAILED, s.index + 1);
    }
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
