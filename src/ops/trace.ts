// The op layer's one tracing hook. Every public op reports through traced():
// its name, its inputs (tensors, numbers, whatever the caller gave), its
// attributes and its output. A listener (the ONNX exporter,
// io/onnx/export.ts) sees the outermost op of each call only: an op built
// from others (gelu's pieces inside a module, globalAvgPool2d's reshape and
// mean) is one event, as its caller wrote it. With no listener an op pays
// one closure call.
import type { Tensor } from "../tensor.js";

export interface OpEvent {
  op: string;
  inputs: readonly unknown[];
  attrs: Readonly<Record<string, unknown>>;
  output: Tensor | readonly Tensor[];
}

let listener: ((e: OpEvent) => void) | null = null;
let depth = 0;

export function traced<T extends Tensor | Tensor[]>(
  op: string,
  inputs: readonly unknown[],
  attrs: Record<string, unknown>,
  body: () => T,
): T {
  if (listener === null) return body();
  depth++;
  let out: T;
  try {
    out = body();
  } finally {
    depth--;
  }
  if (depth === 0) listener({ op, inputs, attrs, output: out });
  return out;
}

/** Runs fn with onOp told of every outermost op it calls, in order. */
export function traceOps<T>(onOp: (e: OpEvent) => void, fn: () => T): T {
  if (listener !== null) throw new Error("traceOps: a trace is already running");
  listener = onOp;
  depth = 0;
  try {
    return fn();
  } finally {
    listener = null;
    depth = 0;
  }
}
