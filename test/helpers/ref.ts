// A float64 reference for every op, written as plainly as possible: the
// library's float32 results and the finite-difference gradients are checked
// against it.

export interface Arr {
  shape: number[];
  data: Float64Array;
}

export const arr = (shape: number[], data: ArrayLike<number>): Arr => ({ shape, data: Float64Array.from(data) });
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function strides(shape: number[]): number[] {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function unravel(i: number, shape: number[]): number[] {
  const idx = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/** Index into x for an index of the broadcast result. */
function bIndex(x: Arr, outIdx: number[]): number {
  const st = strides(x.shape);
  const off = outIdx.length - x.shape.length;
  let k = 0;
  for (let d = 0; d < x.shape.length; d++) k += (x.shape[d] === 1 ? 0 : outIdx[d + off]) * st[d];
  return k;
}

export function bShape(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i] ?? 1,
      db = b[b.length - n + i] ?? 1;
    return da === 1 ? db : da;
  });
}

export function binary(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const shape = bShape(a.shape, b.shape);
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    data[i] = f(a.data[bIndex(a, idx)], b.data[bIndex(b, idx)]);
  }
  return { shape, data };
}

export function unary(a: Arr, f: (x: number) => number): Arr {
  return { shape: a.shape.slice(), data: a.data.map(f) };
}

/** Reduce over dim (or everything) with f over the values of each slice. */
export function reduce(a: Arr, dim: number | undefined, keepDim: boolean, f: (xs: number[]) => number): Arr {
  if (dim === undefined) {
    return { shape: keepDim ? a.shape.map(() => 1) : [], data: Float64Array.of(f(Array.from(a.data))) };
  }
  const d = dim < 0 ? dim + a.shape.length : dim;
  const kept = a.shape.slice();
  kept[d] = 1;
  const out = new Float64Array(size(kept));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, kept);
    const xs: number[] = [];
    for (let k = 0; k < a.shape[d]; k++) {
      idx[d] = k;
      xs.push(a.data[idx.reduce((acc, v, j) => acc + v * strides(a.shape)[j], 0)]);
    }
    out[i] = f(xs);
  }
  return { shape: keepDim ? kept : a.shape.filter((_, i) => i !== d), data: out };
}

/** Apply f to every 1-D slice along dim (softmax-like ops). */
export function alongDim(a: Arr, dim: number, f: (xs: number[]) => number[]): Arr {
  const d = dim < 0 ? dim + a.shape.length : dim;
  const st = strides(a.shape);
  const kept = a.shape.slice();
  kept[d] = 1;
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < size(kept); i++) {
    const idx = unravel(i, kept);
    const base = idx.reduce((acc, v, j) => acc + v * st[j], 0);
    const xs = Array.from({ length: a.shape[d] }, (_, k) => a.data[base + k * st[d]]);
    f(xs).forEach((v, k) => (out[base + k * st[d]] = v));
  }
  return { shape: a.shape.slice(), data: out };
}

export function matmul(a: Arr, b: Arr): Arr {
  const [M, K] = a.shape,
    N = b.shape[1];
  const data = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += a.data[i * K + p] * b.data[p * N + j];
      data[i * N + j] = s;
    }
  return { shape: [M, N], data };
}

export function transpose(a: Arr, d0: number, d1: number): Arr {
  const shape = a.shape.slice();
  [shape[d0], shape[d1]] = [shape[d1], shape[d0]];
  const st = strides(a.shape);
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    [idx[d0], idx[d1]] = [idx[d1], idx[d0]];
    data[i] = a.data[idx.reduce((acc, v, j) => acc + v * st[j], 0)];
  }
  return { shape, data };
}

export const softmax = (xs: number[]) => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((p, q) => p + q, 0);
  return e.map((v) => v / s);
};

export const logSoftmax = (xs: number[]) => {
  const m = Math.max(...xs);
  const lse = m + Math.log(xs.reduce((p, x) => p + Math.exp(x - m), 0));
  return xs.map((x) => x - lse);
};

export interface Conv2dRef {
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
}

/** Direct convolution (cross-correlation), zero padding. */
export function conv2d(x: Arr, w: Arr, b: Arr | null, o: Conv2dRef = {}): Arr {
  const [N, C, H, W] = x.shape,
    [O, , kh, kw] = w.shape;
  const [sh, sw] = o.stride ?? [1, 1],
    [ph, pw] = o.padding ?? [0, 0],
    [dh, dw] = o.dilation ?? [1, 1];
  const OH = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const out = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let s = b ? b.data[oc] : 0;
          for (let c = 0; c < C; c++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const y = oy * sh + i * dh - ph,
                  xx = ox * sw + j * dw - pw;
                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                s += x.data[((n * C + c) * H + y) * W + xx] * w.data[((oc * C + c) * kh + i) * kw + j];
              }
          out[((n * O + oc) * OH + oy) * OW + ox] = s;
        }
  return { shape: [N, O, OH, OW], data: out };
}

/** Pooling over windows inside the input (padding never contributes to max; counts in avg's divisor). */
export function pool2d(x: Arr, kind: "max" | "avg", k: [number, number], s: [number, number], p: [number, number]): Arr {
  const [N, C, H, W] = x.shape;
  const OH = Math.floor((H + 2 * p[0] - k[0]) / s[0]) + 1,
    OW = Math.floor((W + 2 * p[1] - k[1]) / s[1]) + 1;
  const out = new Float64Array(N * C * OH * OW);
  for (let nc = 0; nc < N * C; nc++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        let m = -Infinity,
          sum = 0;
        for (let i = 0; i < k[0]; i++)
          for (let j = 0; j < k[1]; j++) {
            const y = oy * s[0] + i - p[0],
              xx = ox * s[1] + j - p[1];
            if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
            const v = x.data[(nc * H + y) * W + xx];
            m = Math.max(m, v);
            sum += v;
          }
        out[(nc * OH + oy) * OW + ox] = kind === "max" ? m : sum / (k[0] * k[1]);
      }
  return { shape: [N, C, OH, OW], data: out };
}

/** out[idx] = a[source(idx)] over `shape`, or `fill` where source gives null: the reference of every layout op. */
export function pick(a: Arr, shape: number[], source: (idx: number[]) => number[] | null, fill = 0): Arr {
  const st = strides(a.shape);
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const from = source(unravel(i, shape));
    data[i] = from === null ? fill : a.data[from.reduce((acc, v, j) => acc + v * st[j], 0)];
  }
  return { shape, data };
}

export const permute = (a: Arr, perm: number[]): Arr =>
  pick(
    a,
    perm.map((d) => a.shape[d]),
    (idx) => {
      const from = a.shape.map(() => 0);
      perm.forEach((d, i) => (from[d] = idx[i]));
      return from;
    },
  );

export const narrow = (a: Arr, d: number, start: number, length: number): Arr =>
  pick(
    a,
    a.shape.map((n, i) => (i === d ? length : n)),
    (idx) => idx.map((v, i) => (i === d ? v + start : v)),
  );

export function cat(as: Arr[], d: number): Arr {
  const shape = as[0].shape.map((n, i) => (i === d ? as.reduce((s, a) => s + a.shape[d], 0) : n));
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    let k = idx[d],
      j = 0;
    while (k >= as[j].shape[d]) k -= as[j++].shape[d];
    const from = idx.map((v, q) => (q === d ? k : v));
    data[i] = as[j].data[from.reduce((acc, v, q) => acc + v * strides(as[j].shape)[q], 0)];
  }
  return { shape, data };
}

/** F.pad with constant `value`: pads from the last dim, (before, after) pairs; negatives crop. */
export function pad(a: Arr, pads: number[], value: number): Arr {
  const nd = a.shape.length;
  const before = a.shape.map((_, i) => (nd - 1 - i < pads.length / 2 ? pads[2 * (nd - 1 - i)] : 0));
  const after = a.shape.map((_, i) => (nd - 1 - i < pads.length / 2 ? pads[2 * (nd - 1 - i) + 1] : 0));
  const shape = a.shape.map((n, i) => n + before[i] + after[i]);
  return pick(
    a,
    shape,
    (idx) => {
      const from = idx.map((v, i) => v - before[i]);
      return from.every((v, i) => v >= 0 && v < a.shape[i]) ? from : null;
    },
    value,
  );
}

export const expand = (a: Arr, shape: number[]): Arr =>
  pick(a, shape, (idx) => a.shape.map((n, i) => (n === 1 ? 0 : idx[i + shape.length - a.shape.length])));

export const indexSelect = (a: Arr, d: number, index: number[]): Arr =>
  pick(
    a,
    a.shape.map((n, i) => (i === d ? index.length : n)),
    (idx) => idx.map((v, i) => (i === d ? index[v] : v)),
  );

export function gather(a: Arr, d: number, index: Arr): Arr {
  const st = strides(index.shape);
  return pick(a, index.shape, (idx) => idx.map((v, i) => (i === d ? index.data[idx.reduce((acc, w, j) => acc + w * st[j], 0)] : v)));
}

/** where(c, a, b) with the three broadcast together. */
export function where(c: Arr, a: Arr, b: Arr): Arr {
  const shape = bShape(bShape(c.shape, a.shape), b.shape);
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    data[i] = c.data[bIndex(c, idx)] !== 0 ? a.data[bIndex(a, idx)] : b.data[bIndex(b, idx)];
  }
  return { shape, data };
}

/** erf to about 1e-12: the series below 3, the continued fraction of erfc above. */
export function erf(x: number): number {
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    let term = a,
      sum = a;
    for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc(a) = exp(-a^2) / sqrt(pi) * 1 / (a + 1/2 / (a + 1 / (a + 3/2 / (a + ...))))
    let f = a;
    for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

/** Batched matmul with broadcast batch dims (both operands at least 2-D). */
export function bmm(a: Arr, b: Arr): Arr {
  const M = a.shape.at(-2)!,
    K = a.shape.at(-1)!,
    N = b.shape.at(-1)!;
  const batch = bShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, M, N];
  const data = new Float64Array(size(shape));
  const at = (x: Arr, idx: number[]) => bIndex(x, idx);
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    const [m, n] = idx.slice(-2);
    let s = 0;
    for (let k = 0; k < K; k++) s += a.data[at(a, [...idx.slice(0, -2), m, k])] * b.data[at(b, [...idx.slice(0, -2), k, n])];
    data[i] = s;
  }
  return { shape, data };
}

/** Batch norm with the batch's statistics (biased variance), per channel of [N, C, ...]. */
export function batchNorm(x: Arr, w: Arr | null, b: Arr | null, eps = 1e-5): Arr {
  const [N, C] = x.shape;
  const inner = size(x.shape.slice(2));
  const data = new Float64Array(x.data.length);
  for (let c = 0; c < C; c++) {
    const at = (n: number, i: number) => (n * C + c) * inner + i;
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < inner; i++) s += x.data[at(n, i)];
    const m = s / (N * inner);
    let v = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < inner; i++) v += (x.data[at(n, i)] - m) ** 2;
    const is = 1 / Math.sqrt(v / (N * inner) + eps);
    for (let n = 0; n < N; n++)
      for (let i = 0; i < inner; i++) data[at(n, i)] = (x.data[at(n, i)] - m) * is * (w ? w.data[c] : 1) + (b ? b.data[c] : 0);
  }
  return { shape: x.shape.slice(), data };
}

/** Layer norm over the last D values of each row. */
export function layerNorm(x: Arr, D: number, w: Arr | null, b: Arr | null, eps = 1e-5): Arr {
  const data = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / D; r++) {
    const row = Array.from(x.data.subarray(r * D, r * D + D));
    const m = row.reduce((p, q) => p + q, 0) / D;
    const v = row.reduce((p, q) => p + (q - m) ** 2, 0) / D;
    row.forEach((q, i) => (data[r * D + i] = ((q - m) / Math.sqrt(v + eps)) * (w ? w.data[i] : 1) + (b ? b.data[i] : 0)));
  }
  return { shape: x.shape.slice(), data };
}

/** Grouped convolution: each group of channels with its own filters (o.groups, default 1). */
export function conv2dGroups(x: Arr, w: Arr, b: Arr | null, o: Conv2dRef & { groups?: number } = {}): Arr {
  const G = o.groups ?? 1;
  const [N, C, H, W] = x.shape,
    [O, Cg, kh, kw] = w.shape;
  const parts: Arr[] = [];
  for (let g = 0; g < G; g++) {
    const xs = pick(x, [N, Cg, H, W], ([n, c, i, j]) => [n, g * Cg + c, i, j]);
    const ws = pick(w, [O / G, Cg, kh, kw], ([k, c, i, j]) => [g * (O / G) + k, c, i, j]);
    const bs = b ? { shape: [O / G], data: b.data.slice(g * (O / G), (g + 1) * (O / G)) } : null;
    parts.push(conv2d(xs, ws, bs, o));
  }
  void C;
  return cat(parts, 1);
}

/** The transposed convolution by its definition: every input pixel spreads w times itself over the output. */
export function convTranspose2d(
  x: Arr,
  w: Arr,
  b: Arr | null,
  o: { stride?: number; padding?: number; outputPadding?: number; dilation?: number; groups?: number } = {},
): Arr {
  const [N, Cin, H, W] = x.shape,
    [, Cog, kh, kw] = w.shape;
  const s = o.stride ?? 1,
    p = o.padding ?? 0,
    op = o.outputPadding ?? 0,
    d = o.dilation ?? 1,
    G = o.groups ?? 1;
  const Cout = Cog * G,
    Cig = Cin / G;
  const OH = (H - 1) * s - 2 * p + d * (kh - 1) + op + 1,
    OW = (W - 1) * s - 2 * p + d * (kw - 1) + op + 1;
  const out = new Float64Array(N * Cout * OH * OW);
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < Cout; oc++) for (let q = 0; q < OH * OW; q++) out[(n * Cout + oc) * OH * OW + q] = b ? b.data[oc] : 0;
  for (let n = 0; n < N; n++)
    for (let ci = 0; ci < Cin; ci++) {
      const g = Math.floor(ci / Cig);
      for (let y = 0; y < H; y++)
        for (let xx = 0; xx < W; xx++) {
          const v = x.data[((n * Cin + ci) * H + y) * W + xx];
          for (let k = 0; k < Cog; k++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const oy = y * s - p + i * d,
                  ox = xx * s - p + j * d;
                if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
                out[((n * Cout + g * Cog + k) * OH + oy) * OW + ox] += v * w.data[((ci * Cog + k) * kh + i) * kw + j];
              }
        }
    }
  return { shape: [N, Cout, OH, OW], data: out };
}
