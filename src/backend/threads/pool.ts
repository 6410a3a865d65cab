// The worker pool of a threaded backend: `threads - 1` workers, each with its
// own instance of the same compiled module over the same shared memory, and
// the caller as the first thread. A round hands every thread a program (a
// list of kernel calls): the caller runs its own directly, the workers run
// theirs from their slots in the control block (protocol.ts), and the caller
// returns when all are done. Workers are unref'd in Node, so a pool never
// keeps a process alive, and end on stop() (a second init()).
//
// Faults end the pool, so that no worker can be left inside a round while the
// next one is written: a kernel that throws on a worker (its name, the thread
// and the message come back through the control block), a round that does
// not finish in time (naming the threads that did not), and a worker that
// exits between rounds (noticed when the caller's event loop runs). Every
// later call refuses, saying why, until init() starts a new pool.
import { nodeBuiltin } from "../../platform.js";
import {
  DONE,
  FAILED,
  FAILED_KERNEL,
  HEADER_BYTES,
  MESSAGE_AT,
  MESSAGE_BYTES,
  PENDING,
  PROGRAM_AT,
  SEQ,
  SLOT_BYTES,
  SPINS,
  STOP,
  WAKE,
  type Call,
  type Pool,
} from "./protocol.js";
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
  /** This worker's thread number (1 to threads - 1; the caller is 0). */
  index: number;
}

interface AnyWorker {
  postMessage(m: unknown): void;
  terminate(): unknown;
}

/** A round's workers get this many times the caller's time for its own part before it times out (at least minRoundTimeoutMs). */
const ROUND_TIMEOUT_FACTOR = 1000;

export class ThreadPool implements Pool {
  /**
   * How long a round may take before the caller gives up (a worker that died
   * would otherwise hang it). @internal Tests shorten it.
   */
  static roundTimeoutMs = 120_000;
  /**
   * A round whose parts are small gives up sooner: after the caller's own
   * part took t ms, the workers' parts (of the same size: the splits are
   * even) get max(minRoundTimeoutMs, ROUND_TIMEOUT_FACTOR t), at most
   * roundTimeoutMs (10 s at least: a worker merely paused by a loaded
   * machine must not end a healthy pool). @internal
   */
  static minRoundTimeoutMs = 10_000;

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
    new Uint8Array(memory.buffer as unknown as SharedArrayBuffer, base, ThreadPool.bytes(threads)).fill(0);
    const workers: AnyWorker[] = [];
    const ready: Promise<void>[] = [];
    let pool: ThreadPool | null = null; // set once every worker is ready
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
        worker.on("exit", (code) => pool?.lost(w, `exited with code ${code}`));
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
    // a browser Worker's uncaught error (it has no exit event) ends the pool as an exit does
    workers.forEach((w, i) => {
      if (w instanceof EventTarget) w.addEventListener("error", (e) => pool?.lost(i + 1, `failed: ${(e as ErrorEvent).message}`));
    });
    pool = new ThreadPool(threads, memory, base, names, workers, exports);
    return pool;
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
      const slot = new Float64Array(buffer, this.slot(w) + PROGRAM_AT, (SLOT_BYTES - PROGRAM_AT) / 8);
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
    const c = this.control;
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, PENDING, workers);
    const round = Atomics.add(c, SEQ, 1) + 1;
    // only the workers with a program are woken; the rest sleep on (or spin out their wait)
    for (let w = 1; w <= workers; w++) {
      const wake = this.word(w, WAKE);
      Atomics.store(wake, 0, round);
      Atomics.notify(wake, 0);
    }
    const t0 = performance.now(); // monotonic: a wall clock set back or forward must not end a round
    let error: unknown = null;
    try {
      for (const [name, ...args] of programs[0] ?? []) this.exports[name](...args);
    } catch (e) {
      error = e;
    }
    for (let i = 0; i < SPINS && Atomics.load(c, PENDING) !== 0; i++);
    const t1 = performance.now();
    // the caller's own part says how long the workers' should take, unless it threw early
    const timeout =
      error === null
        ? Math.min(ThreadPool.roundTimeoutMs, Math.max(ThreadPool.minRoundTimeoutMs, ROUND_TIMEOUT_FACTOR * (t1 - t0)))
        : ThreadPool.roundTimeoutMs;
    let overdue = false;
    for (let left = Atomics.load(c, PENDING); left !== 0; left = Atomics.load(c, PENDING)) {
      const waited = Atomics.wait(c, PENDING, left, Math.min(1000, timeout));
      if (waited !== "timed-out" || performance.now() - t1 <= timeout) continue;
      // once overdue, one more slice: after a pause of the whole process (a
      // suspended laptop, a frozen tab) the clock has run on but the workers
      // have not had their turn yet
      if (!overdue) {
        overdue = true;
        continue;
      }
      if (Atomics.load(c, PENDING) !== 0) {
        const stalled = this.notDone(round, workers);
        const message =
          `threads: ${stalled.length === 1 ? "thread" : "threads"} ${stalled.join(", ")} of ${this.threads} did not finish ` +
          `round ${round} within ${+(timeout / 1000).toPrecision(2)} s of the caller's part (a worker that died or stalled)`;
        // a worker still inside this round would read the next round's slot half
        // written and count itself done twice: the pool ends here
        this.end(`after a round timed out (${stalled.length === 1 ? "thread" : "threads"} ${stalled.join(", ")}); call init() again`);
        throw new Error(`${message}; the pool is stopped`);
      }
    }
    if (error !== null) throw error;
    const failed = Atomics.load(c, FAILED);
    if (failed !== 0) {
      const kernel = this.names[Atomics.load(c, FAILED_KERNEL)] ?? "(unknown)";
      const bytes = new Uint8Array(buffer, this.base + MESSAGE_AT, MESSAGE_BYTES).slice(); // a copy: decoders refuse shared memory
      const end = bytes.indexOf(0);
      const why = new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
      this.end(`after kernel ${kernel} threw on thread ${failed}; call init() again`);
      throw new Error(`threads: kernel ${kernel} threw on thread ${failed} of ${this.threads}: ${why}; the pool is stopped`);
    }
  }

  /** Byte address of worker w's slot. */
  private slot(w: number): number {
    return this.base + HEADER_BYTES + (w - 1) * SLOT_BYTES;
  }

  /** An Int32 word of worker w's slot. */
  private word(w: number, at: number): Int32Array {
    return new Int32Array(this.memory.buffer as unknown as SharedArrayBuffer, this.slot(w) + at, 1);
  }

  /** Of the first `workers` workers, those that have not marked `round` done. */
  private notDone(round: number, workers: number): number[] {
    const out: number[] = [];
    for (let w = 1; w <= workers; w++) if (Atomics.load(this.word(w, DONE), 0) !== round) out.push(w);
    return out;
  }

  /** The last round each worker ran (0: none yet). @internal For the tests of who is woken. */
  _lastRounds(): number[] {
    return Array.from({ length: this.threads - 1 }, (_, i) => Atomics.load(this.word(i + 1, DONE), 0));
  }

  /** A worker that ended outside of stop(): the pool cannot run another round. */
  private lost(thread: number, how: string): void {
    this.end(`after thread ${thread} ${how}; call init() again`);
  }

  /** Ends worker `thread` as a crash would, without telling the pool. @internal For the tests of faults. */
  _terminate(thread: number): Promise<unknown> {
    return Promise.resolve(this.workers[thread - 1].terminate());
  }

  /** Ends the workers (a second init()). */
  stop(): void {
    this.end("by a later init()");
  }

  private end(why: string): void {
    if (this.stoppedBy !== null) return;
    this.stoppedBy = why;
    Atomics.store(this.control, STOP, 1);
    for (let w = 1; w < this.threads; w++) {
      Atomics.add(this.word(w, WAKE), 0, 1);
      Atomics.notify(this.word(w, WAKE), 0);
    }
    for (const w of this.workers) w.terminate();
  }

  /** The kernel names a program may call. */
  get kernelNames(): readonly string[] {
    return this.names;
  }
}
