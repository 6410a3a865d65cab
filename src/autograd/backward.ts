// backward(): walks the tape from a tensor back to the leaves, in reverse
// topological order, and accumulates gradients into the leaves' .grad.
import type { Tensor } from "../tensor.js";
import { noGrad } from "./grad-mode.js";
import { add } from "../ops/binary.js";
import { addInPlace } from "../ops/inplace.js";
import { clone } from "../ops/layout.js";
import { full } from "../creation.js";
import { freeSaved, releaseNode, type GradNode } from "./node.js";
import { fmtShape, sameShape } from "../shape.js";

export interface BackwardOptions {
  /** Keep the graph (and what it saved) for another backward(). */
  retainGraph?: boolean;
}

/** Tensors with a node, inputs before the ops that consume them. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<GradNode>([root._node!]);
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const node = top.t._node!;
    if (node.released) {
      throw new Error(
        `backward: the graph through '${node.op}' was already freed by an earlier backward(); ` +
          "pass { retainGraph: true } to the first call to backward twice",
      );
    }
    if (top.next < node.inputs.length) {
      const child = node.inputs[top.next++];
      const cn = child._node;
      if (cn !== null && !visited.has(cn)) {
        visited.add(cn);
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

/** Adds g into leaf.grad, taking ownership of g. */
function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  const prev = leaf.grad;
  if (prev !== null && !prev.isDisposed) {
    addInPlace(prev, g, 1);
    g.dispose();
    return;
  }
  // The grad is updated in place later: it must not share storage with anything.
  let own = g;
  if (g._shared) {
    own = clone(g);
    g.dispose();
  }
  own._kept = true;
  leaf.grad = own;
}

export function backward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions = {}): void {
  root._check();
  if (!root.requiresGrad) {
    throw new Error("backward: this tensor does not require grad (no input had requiresGrad, or it was computed under noGrad)");
  }
  // the walk's order first: it throws on a freed graph, before anything is allocated
  const order = root._node === null ? [] : topoOrder(root);
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new Error(`backward: a gradient can be implied only for one-element tensors; pass one of shape ${fmtShape(root.shape)}`);
    }
    seed = full(root.shape, 1);
  } else {
    if (!gradient || (gradient as { _isTensor?: unknown })._isTensor !== true) {
      throw new TypeError("backward: gradient must be a Tensor");
    }
    if (!sameShape(gradient.shape, root.shape)) {
      throw new Error(`backward: gradient of shape ${fmtShape(gradient.shape)} does not match the tensor's ${fmtShape(root.shape)}`);
    }
    seed = gradient._share();
  }
  seed._kept = true;
  if (root._node === null) {
    accumulateLeaf(root, seed);
    return;
  }
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  try {
    noGrad(() => {
      for (let i = order.length - 1; i >= 0; i--) {
        const t = order[i];
        const g = grads.get(t);
        if (g === undefined) continue;
        const node = t._node!;
        node.checkSaved();
        const inputGrads = node.rule(g, node.saved);
        // only now: should the check or the rule throw, g is still in the map, which `finally` empties
        grads.delete(t);
        g.dispose();
        if (!options.retainGraph) freeSaved(node);
        for (let j = 0; j < node.inputs.length; j++) {
          const x = node.inputs[j];
          const gx = inputGrads[j];
          if (gx === null || gx === undefined) continue;
          gx._kept = true; // owned by this walk until accumulated
          if (!x.requiresGrad) {
            gx.dispose();
          } else if (x._node === null) {
            accumulateLeaf(x, gx);
          } else {
            const prev = grads.get(x);
            if (prev === undefined) grads.set(x, gx);
            else {
              const s = add(prev, gx);
              s._kept = true;
              prev.dispose();
              gx.dispose();
              grads.set(x, s);
            }
          }
        }
      }
    });
  } finally {
    for (const g of grads.values()) g.dispose();
    if (!options.retainGraph) for (const t of order) releaseNode(t._node!);
  }
}
