// im2col and col2im for 2-D convolution as a GEMM (PyTorch semantics: NCHW,
// weights [out, in, kh, kw], cross-correlation).
//
// For one image x [C, H, W], col is [C*kh*kw, OH*OW] (rows `ld` floats
// apart): row (c, i, j) holds the input pixel that kernel tap (i, j) of
// channel c sees at every output position (0 where the tap falls in the
// padding). Then Y = W [O, C*kh*kw] * col. col2im is the adjoint: it adds
// every column entry back into the pixel it came from (dx, zero-filled by the
// caller, accumulates); it may zero col's padding entries, which it drops.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// Output columns whose kernel tap (at input offset dj) lands inside a row of
// width W are [spanStart, spanEnd): the rest read padding.
@inline function spanStart(OW: i32, sw: i32, dj: i32): i32 {
  let ox = 0;
  while (ox < OW && ox * sw + dj < 0) ox++;
  return ox;
}

@inline function spanEnd(OW: i32, sw: i32, dj: i32, W: i32, start: i32): i32 {
  let ox = OW;
  while (ox > start && (ox - 1) * sw + dj >= W) ox--;
  return ox;
}

// Stride 1 with OW == W (a "same" convolution, both of CNN-M's): a column
// row is the whole input plane shifted by one offset, so it is copied (or, in
// col2im, added) as one contiguous run over the valid output rows; the
// entries that wrapped into a neighbouring image row are the padding columns,
// zeroed after the copy (before the add). Runs are clipped to the plane, so
// nothing outside it is read or written.
@inline function sameWidth(sh: i32, sw: i32, W: i32, OW: i32): bool {
  return sh == 1 && sw == 1 && OW == W;
}

/** Output rows [oy0, oy1) whose input row oy + di lies inside the plane. */
@inline function rowStart(di: i32): i32 {
  return max(0, -di);
}
@inline function rowEnd(di: i32, H: i32, OH: i32): i32 {
  return min(OH, H - di);
}

function copyRun(dst: usize, src: usize, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= n; t += 4) v128.store(at(dst, t), v128.load(at(src, t)));
  }
  for (; t < n; t++) store<f32>(at(dst, t), load<f32>(at(src, t)));
}

function addRun(dst: usize, src: usize, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= n; t += 4) v128.store(at(dst, t), f32x4.add(v128.load(at(dst, t)), v128.load(at(src, t))));
  }
  for (; t < n; t++) store<f32>(at(dst, t), load<f32>(at(dst, t)) + load<f32>(at(src, t)));
}

/** Zeroes the |dj| padding columns of output rows [oy0, oy1) of a column row. */
function zeroEdges(d: usize, OW: i32, dj: i32, oy0: i32, oy1: i32): void {
  const a = dj < 0 ? 0 : max(0, OW - dj), b = dj < 0 ? min(OW, -dj) : OW;
  for (let oy = oy0; oy < oy1; oy++) {
    for (let ox = a; ox < b; ox++) store<f32>(at(d, oy * OW + ox), 0);
  }
}

function im2colSameWidth(
  x: usize, col: usize, ld: i32, C: i32, H: i32, W: i32, kh: i32, kw: i32,
  ph: i32, pw: i32, dh: i32, dw: i32, OH: i32,
): void {
  const plane = H * W, run = OH * W;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const p = at(x, c * plane);
    for (let i = 0; i < kh; i++) {
      const di = i * dh - ph;
      const oy0 = rowStart(di), oy1 = rowEnd(di, H, OH);
      for (let j = 0; j < kw; j++) {
        const d = at(col, row * ld);
        const dj = j * dw - pw;
        if (oy1 <= oy0) {
          memory.fill(d, 0, <usize>run << 2);
        } else {
          // output t reads plane[t + di * W + dj]; clip t to the plane
          const shift = di * W + dj;
          const t0 = max(oy0 * W, -shift), t1 = min(oy1 * W, plane - shift);
          memory.fill(d, 0, <usize>t0 << 2);
          copyRun(at(d, t0), at(p, t0 + shift), t1 - t0);
          memory.fill(at(d, t1), 0, <usize>(run - t1) << 2);
          if (dj != 0) zeroEdges(d, W, dj, oy0, oy1);
        }
        row++;
      }
    }
  }
}

function col2imSameWidth(
  col: usize, ld: i32, dx: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32,
  ph: i32, pw: i32, dh: i32, dw: i32, OH: i32,
): void {
  const plane = H * W;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const p = at(dx, c * plane);
    for (let i = 0; i < kh; i++) {
      const di = i * dh - ph;
      const oy0 = rowStart(di), oy1 = rowEnd(di, H, OH);
      for (let j = 0; j < kw; j++) {
        const s = at(col, row * ld);
        const dj = j * dw - pw;
        if (oy1 > oy0) {
          const shift = di * W + dj;
          const t0 = max(oy0 * W, -shift), t1 = min(oy1 * W, plane - shift);
          if (dj != 0) zeroEdges(s, W, dj, oy0, oy1);
          addRun(at(p, t0 + shift), at(s, t0), t1 - t0);
        }
        row++;
      }
    }
  }
}

export function im2col(
  x: usize, col: usize, ld: i32, C: i32, H: i32, W: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, OH: i32, OW: i32,
): void {
  if (sameWidth(sh, sw, W, OW)) {
    im2colSameWidth(x, col, ld, C, H, W, kh, kw, ph, pw, dh, dw, OH);
    return;
  }
  let row = 0;
  for (let c = 0; c < C; c++) {
    const plane = at(x, c * H * W);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const dst = at(col, row * ld);
        const dj = j * dw - pw;
        const ox0 = spanStart(OW, sw, dj), ox1 = spanEnd(OW, sw, dj, W, ox0);
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * sh + i * dh - ph;
          const d = at(dst, oy * OW);
          if (iy < 0 || iy >= H) {
            memory.fill(d, 0, <usize>OW << 2);
            continue;
          }
          const srow = at(plane, iy * W + dj);
          for (let ox = 0; ox < ox0; ox++) store<f32>(at(d, ox), 0);
          if (sw == 1) {
            // rows are short (10-28 floats): a loop beats a memory.copy call,
            // and a last vector that overlaps the one before beats a scalar tail
            if (ASC_FEATURE_SIMD && ox1 - ox0 >= 4) {
              let ox = ox0;
              for (; ox + 4 < ox1; ox += 4) v128.store(at(d, ox), v128.load(at(srow, ox)));
              v128.store(at(d, ox1 - 4), v128.load(at(srow, ox1 - 4)));
            } else {
              for (let ox = ox0; ox < ox1; ox++) store<f32>(at(d, ox), load<f32>(at(srow, ox)));
            }
          } else {
            let ox = ox0;
            if (ASC_FEATURE_SIMD && sw == 2) {
              // the even lanes of two vectors; the odd ones read stay inside the row
              for (; ox + 4 <= ox1 && 2 * ox + 8 + dj <= W; ox += 4) {
                const a = at(srow, 2 * ox);
                v128.store(at(d, ox), v128.shuffle<f32>(v128.load(a), v128.load(a, 16), 0, 2, 4, 6));
              }
            }
            for (; ox < ox1; ox++) store<f32>(at(d, ox), load<f32>(at(srow, ox * sw)));
          }
          for (let ox = ox1; ox < OW; ox++) store<f32>(at(d, ox), 0);
        }
        row++;
      }
    }
  }
}

export function col2im(
  col: usize, ld: i32, dx: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, OH: i32, OW: i32,
): void {
  if (sameWidth(sh, sw, W, OW)) {
    col2imSameWidth(col, ld, dx, C, H, W, kh, kw, ph, pw, dh, dw, OH);
    return;
  }
  let row = 0;
  for (let c = 0; c < C; c++) {
    const plane = at(dx, c * H * W);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const src = at(col, row * ld);
        const dj = j * dw - pw;
        const ox0 = spanStart(OW, sw, dj), ox1 = spanEnd(OW, sw, dj, W, ox0);
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * sh + i * dh - ph;
          if (iy < 0 || iy >= H) continue;
          const drow = at(plane, iy * W + dj);
          const s = at(src, oy * OW);
          let ox = ox0;
          if (ASC_FEATURE_SIMD) {
            if (sw == 1 && ox1 - ox0 >= 4) {
              for (; ox + 4 <= ox1; ox += 4) {
                v128.store(at(drow, ox), f32x4.add(v128.load(at(drow, ox)), v128.load(at(s, ox))));
              }
              // the last 1-3 entries: a vector ending at ox1 that adds only its new lanes
              const rem = ox1 - ox;
              if (rem > 0) {
                const fresh = i32x4.gt_s(i32x4(0, 1, 2, 3), i32x4.splat(3 - rem));
                const e = ox1 - 4;
                v128.store(at(drow, e), f32x4.add(v128.load(at(drow, e)), v128.and(v128.load(at(s, e)), fresh)));
                ox = ox1;
              }
            } else if (sw == 2) {
              // four entries into the even lanes of two vectors (the odd ones, inside the row, get 0)
              const zero = f32x4.splat(0);
              for (; ox + 4 <= ox1 && 2 * ox + 8 + dj <= W; ox += 4) {
                const v = v128.load(at(s, ox)), a = at(drow, 2 * ox);
                v128.store(a, f32x4.add(v128.load(a), v128.shuffle<f32>(v, zero, 0, 4, 1, 4)));
                v128.store(a, f32x4.add(v128.load(a, 16), v128.shuffle<f32>(v, zero, 2, 4, 3, 4)), 16);
              }
            }
          }
          for (; ox < ox1; ox++) {
            const d = at(drow, ox * sw);
            store<f32>(d, load<f32>(d) + load<f32>(at(s, ox)));
          }
        }
        row++;
      }
    }
  }
}
