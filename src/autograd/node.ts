// A node of the tape: the op that made a tensor, its inputs, the tensors its
// backward rule saved, and the rule itself.
//
// Saved tensors are handles of their own on the storage (refcounted), so a
// user may dispose an activation before backward() and the tape still has it;
// the node disposes its handles when it is released: after backward(), or as
// soon as its output is disposed and no live node consumes it (so a forward
// pass that is never differentiated frees what it saved, too).
import type { Tensor } from "../tensor.js";
import type { Block } from "../backend/block.js";
import { isGradEnabled } from "./grad-mode.js";

/** Gets the gradient of the output and the saved tensors; returns one gradient per input (null: none). */
export type BackwardRule = (g: Tensor, saved: Tensor[]) => (Tensor | null)[];

export class GradNode {
  /** Unreleased nodes that take this node's output as an input. */
  consumers = 0;
  outputAlive = true;
  released = false;

  constructor(
    readonly op: string,
    public inputs: Tensor[],
    public saved: Tensor[],
    public rule: BackwardRule,
    /** Storage versions of the saved tensors when they were saved. */
    public versions: number[],
    /** Raw blocks the rule reads (masks, indices, targets), freed with the saved tensors. */
    public blocks: Block[] = [],
  ) {}

  /** Throws if a saved tensor was modified in place after it was saved. */
  checkSaved(): void {
    this.saved.forEach((t, i) => {
      if (t._version !== this.versions[i]) {
        throw new Error(
          `backward: a tensor of shape [${t.shape.join(",")}] saved by '${this.op}' was modified in place ` +
            "after it was saved; clone() it before modifying",
        );
      }
    });
  }
}

/** True when an op on these operands must be recorded. */
export function needsGrad(...xs: (Tensor | number)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const x of xs) if (typeof x !== "number" && x.requiresGrad) return true;
  return false;
}

/**
 * Attaches a node to `out`. Call only when needsGrad(...inputs). The node
 * takes its own handles on `saved` and takes over `blocks` (the rule's
 * closure reads them; the node frees them).
 */
export function record(out: Tensor, op: string, inputs: Tensor[], saved: Tensor[], rule: BackwardRule, blocks: Block[] = []): Tensor {
  const handles = saved.map((t) => {
    const h = t._share();
    h._kept = true; // the node disposes it, not a tidy() scope
    return h;
  });
  const node = new GradNode(
    op,
    inputs,
    handles,
    rule,
    handles.map((h) => h._version),
    blocks,
  );
  for (const x of inputs) if (x._node !== null && !x._node.released) x._node.consumers++;
  out._node = node;
  out.requiresGrad = true;
  return out;
}

/** Frees what the node saved, then any upstream node left without output or consumers. */
export function releaseNode(first: GradNode): void {
  const work = [first];
  while (work.length > 0) {
    const node = work.pop()!;
    if (node.released) continue;
    node.released = true;
    freeSaved(node);
    for (const x of node.inputs) {
      const up = x._node;
      if (up !== null && !up.released && --up.consumers === 0 && !up.outputAlive) work.push(up);
    }
    node.inputs = [];
  }
}

/**
 * Frees what the node saved once its rule has run in a backward() that keeps
 * no graph: activations go as the walk passes them instead of all at its
 * end. The node itself stays until the walk releases it.
 */
export function freeSaved(node: GradNode): void {
  for (const t of node.saved) t.dispose();
  node.saved = [];
  for (const b of node.blocks) b.free();
  node.blocks = [];
}

/** The output tensor of `node` was disposed. */
export function outputDisposed(node: GradNode): void {
  node.outputAlive = false;
  if (node.consumers === 0) releaseNode(node);
}
