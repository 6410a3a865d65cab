// Gathers by index and their adjoints, the scatter-adds: index_select (and
// so embedding lookups) along one dim, and torch.gather's element-wise form.
// Shapes are [outer, n, inner] around the indexed dim; indices are i32 and
// checked in range by the caller. The adds accumulate into out, which the
// caller zero-fills.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

function copyRow(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

function addRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.add(v128.load(at(dst, i)), v128.load(at(src, i))));
  }
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(dst, i)) + load<f32>(at(src, i)));
}

export function indexSelect(src: usize, idx: usize, out: usize, outer: i32, nSrc: i32, nIdx: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < nIdx; j++) {
      const k = load<i32>(at(idx, j));
      copyRow(at(out, (o * nIdx + j) * inner), at(src, (o * nSrc + k) * inner), inner);
    }
  }
}

export function indexAdd(g: usize, idx: usize, out: usize, outer: i32, nSrc: i32, nIdx: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < nIdx; j++) {
      const k = load<i32>(at(idx, j));
      addRow(at(out, (o * nSrc + k) * inner), at(g, (o * nIdx + j) * inner), inner);
    }
  }
}

export function gatherDim(src: usize, idx: usize, out: usize, outer: i32, nSrc: i32, nIdx: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < nIdx; j++) {
      const row = (o * nIdx + j) * inner;
      for (let i = 0; i < inner; i++) {
        const k = load<i32>(at(idx, row + i));
        store<f32>(at(out, row + i), load<f32>(at(src, (o * nSrc + k) * inner + i)));
      }
    }
  }
}

export function scatterAddDim(g: usize, idx: usize, out: usize, outer: i32, nSrc: i32, nIdx: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < nIdx; j++) {
      const row = (o * nIdx + j) * inner;
      for (let i = 0; i < inner; i++) {
        const k = load<i32>(at(idx, row + i));
        const d = at(out, (o * nSrc + k) * inner + i);
        store<f32>(d, load<f32>(d) + load<f32>(at(g, row + i)));
      }
    }
  }
}
