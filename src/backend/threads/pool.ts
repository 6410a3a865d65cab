// The worker pool of a threaded backend: `threads - 1` workers, each with its
// own instance of the same compiled module over the same shared memory, and
// the caller as the first thread. A round hands every thread a program (a
// list of kernel calls): the caller runs its own directly, the workers run
// theirs from their slots in the control block (protocol.ts), and the caller
// returns when all are done. Workers are unref'd in Node, so a pool never
// keeps a process alive, and end on stop() (a second init()).
import { nodeBuiltin } from "../../platform.js";
import { FAILED, HEADER_BYTES, PENDING, SEQ, SLOT_BYTES, SPINS, STOP, type Call, type Pool } from "./protocol.js";
import { workerSource } from "./worker.js";

export type { Call } from "./protocol.js";

/** What a worker gets to start with (worker.ts repeats it). */
interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte address of the control block, and of this worker's slot. */
  control: number;
  slot: number;
  /** The kernels' export names; programs refer to them by index. */
  names: string[];
  index: number;
}

interface AnyWorker {
  postMessage(m: unknown): void;
  terminate(): unknown;
}

export class ThreadPool implements Pool {
  /**
   * How long a round may take before the caller gives up (a worker that died
   * would otherwise hang it). @internal Tests shorten it.
   */
  static roundTimeoutMs = 120_000;

  private readonly control: Int32Array;
  private readonly index: Map<string, number>;
  /** Why run() refuses, once the pool has ended. */
  private stoppedBy: string | null = null;

  private constructor(
    readonly threads: number,
    private readonly memory: WebAssembly.Memory,
    private readonly base: number,
    private readonly names: string[],
    private readonly workers: AnyWorker[],
    private readonly exports: Record<string, (...args: number[]) => unknown>,
  ) {
    this.control = new Int32Array(memory.buffer as unknown as SharedArrayBuffer, base, HEADER_BYTES / 4);
    this.index = new Map(names.map((n, i) => [n, i]));
  }

  /** The bytes of shared memory a pool of `threads` needs for its control block and slots. */
  static bytes(threads: number): number {
    return HEADER_BYTES + (threads - 1) * SLOT_BYTES;
  }

  /**
   * Starts `threads - 1` workers over `memory`, with the control block at
   * `base` (static bytes(threads) long, owned by the caller), and waits until
   * every worker has instantiated the module.
   */
  static async start(
    threads: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    base: number,
    exports: Record<string, (...args: number[]) => unknown>,
  ): Promise<ThreadPool> {
    const names = Object.keys(exports).filter((n) => typeof exports[n] === "function");
    new Int32Array(memory.buffer as unknown as SharedArrayBuffer, base, HEADER_BYTES / 4).fill(0);
    const workers: AnyWorker[] = [];
    const ready: Promise<void>[] = [];
    const wt = nodeBuiltin<typeof import("node:worker_threads")>("node:worker_threads");
    const blobUrl = wt ? "" : URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }));
    for (let w = 1; w < threads; w++) {
      const start: WorkerStart = { module, memory, control: base, slot: base + HEADER_BYTES + (w - 1) * SLOT_BYTES, names, index: w };
      if (wt) {
        const worker = new wt.Worker(workerSource, { eval: true });
        worker.unref();
        ready.push(
          new Promise((resolve, reject) => {
            worker.once("message", () => resolve());
            worker.once("error", reject);
          }),
        );
        worker.postMessage(start);
        workers.push(worker);
      } else {
        const worker = new Worker(blobUrl);
        ready.push(
          new Promise((resolve, reject) => {
            worker.onmessage = () => resolve();
            worker.onerror = (e) => reject(new Error(`threads: a worker failed to start: ${e.message}`));
          }),
        );
        worker.postMessage(start);
        workers.push(worker);
      }
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    } finally {
      if (blobUrl) URL.revokeObjectURL(blobUrl);
    }
    return new ThreadPool(threads, memory, base, names, workers, exports);
  }

  /**
   * Runs programs[0] on this thread and programs[t] on worker t, and returns
   * when all are done. Fewer programs than threads leave the rest idle.
   */
  run(programs: Call[][]): void {
    if (this.stoppedBy !== null) throw new Error(`threads: the pool was stopped ${this.stoppedBy}`);
    if (programs.length > this.threads) throw new Error(`threads: ${programs.length} programs for ${this.threads} threads`);
    const buffer = this.memory.buffer as unknown as SharedArrayBuffer; // re-read: a grown shared memory has a longer buffer
    const workers = programs.length - 1;
    for (let w = 1; w <= workers; w++) {
      const slot = new Float64Array(buffer, this.base + HEADER_BYTES + (w - 1) * SLOT_BYTES, SLOT_BYTES / 8);
      let p = 1;
      for (const [name, ...args] of programs[w]) {
        if (p + 2 + args.length > slot.length) throw new Error(`threads: a program of ${programs[w].length} calls does not fit a slot`);
        slot[p] = this.index.get(name)!;
        slot[p + 1] = args.length;
        slot.set(args, p + 2);
        p += 2 + args.length;
      }
      slot[0] = programs[w].length;
    }
    // workers without a program this round still wake, see zero calls and report
    for (let w = workers + 1; w < this.threads; w++) new Float64Array(buffer, this.base + HEADER_BYTES + (w - 1) * SLOT_BYTES, 1)[0] = 0;
    const c = this.control;
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, PENDING, this.threads - 1);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    let error: unknown = null;
    try {
      for (const [name, ...args] of programs[0] ?? []) this.exports[name](...args);
    } catch (e) {
      error = e;
    }
    for (let i = 0; i < SPINS && Atomics.load(c, PENDING) !== 0; i++);
    const t0 = performance.now(); // monotonic: a wall clock set back or forward must not end a round
    const timeout = ThreadPool.roundTimeoutMs;
    for (let left = Atomics.load(c, PENDING); left !== 0; left = Atomics.load(c, PENDING)) {
      const waited = Atomics.wait(c, PENDING, left, Math.min(1000, timeout));
      if (waited === "timed-out" && performance.now() - t0 > timeout && Atomics.load(c, PENDING) !== 0) {
        const message =
          `threads: a worker did not finish its part within ${timeout / 1000} s ` +
          `(${Atomics.load(c, PENDING)} of ${this.threads - 1} still running round ${Atomics.load(c, SEQ)})`;
        // a worker still inside this round would read the next round's slot half
        // written and count itself done twice: the pool ends here
        this.end("after a round timed out; call init() again");
        throw new Error(`${message}; the pool is stopped`);
      }
    }
    if (error !== null) throw error;
    const failed = Atomics.load(c, FAILED);
    if (failed !== 0) throw new Error(`threads: worker ${failed} failed in a kernel call`);
  }

  /** Ends the workers (a second init()). */
  stop(): void {
    this.end("by a later init()");
  }

  private end(why: string): void {
    if (this.stoppedBy !== null) return;
    this.stoppedBy = why;
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, SEQ, 1);
    Atomics.notify(this.control, SEQ);
    for (const w of this.workers) w.terminate();
  }

  /** The kernel names a program may call. */
  get kernelNames(): readonly string[] {
    return this.names;
  }
}
