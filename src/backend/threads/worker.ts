// One thread of the pool (Node worker_threads or a browser Worker): it
// instantiates the caller's compiled module over the same shared memory,
// then runs the programs the caller leaves in its slot, round after round,
// until the pool stops. The pool starts workers from this function's source
// text (workerSource), so there is no worker file for a bundler to find or
// a page to serve: the function must refer to nothing outside itself, which
// is why protocol.ts's constants are repeated here.

export function workerMain(): void {
  const SEQ = 0,
    PENDING = 1,
    STOP = 2,
    FAILED = 3,
    SPINS = 20_000;
  interface Start {
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    control: number;
    slot: number;
    names: string[];
    index: number;
  }
  type Port = { postMessage(m: unknown): void };

  const start = (s: Start, port: Port): void => {
    const instance = new WebAssembly.Instance(s.module, { env: { memory: s.memory } });
    const fns = s.names.map((n) => instance.exports[n] as (...args: number[]) => unknown);
    const buffer = s.memory.buffer as unknown as SharedArrayBuffer;
    const control = new Int32Array(buffer, s.control, 16);
    const program = new Float64Array(buffer, s.slot);
    // read the round counter before saying ready: the caller may start a round the moment it hears
    let seen = Atomics.load(control, SEQ);
    port.postMessage("ready");
    for (;;) {
      for (let i = 0; i < SPINS && Atomics.load(control, SEQ) === seen; i++);
      if (Atomics.load(control, SEQ) === seen) Atomics.wait(control, SEQ, seen);
      seen = Atomics.load(control, SEQ);
      if (Atomics.load(control, STOP) !== 0) return;
      try {
        const calls = program[0];
        for (let c = 0, p = 1; c < calls; c++) {
          const argc = program[p + 1];
          fns[program[p]].apply(null, program.subarray(p + 2, p + 2 + argc) as unknown as number[]);
          p += 2 + argc;
        }
      } catch {
        Atomics.store(control, FAILED, s.index + 1);
      }
      if (Atomics.sub(control, PENDING, 1) === 1) Atomics.notify(control, PENDING);
    }
  };

  const threads =
    typeof process === "object"
      ? (process.getBuiltinModule?.("node:worker_threads") as typeof import("node:worker_threads") | undefined)
      : undefined;
  if (threads?.parentPort) {
    const port = threads.parentPort;
    port.once("message", (s: Start) => start(s, port));
  } else {
    const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
    scope.onmessage = (e: MessageEvent) => {
      scope.onmessage = null;
      start(e.data as Start, scope);
    };
  }
}

/** The worker's program text: this module's function, called. */
export const workerSource = `(${workerMain.toString()})();`;
