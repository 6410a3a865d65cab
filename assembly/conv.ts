// im2col and col2im for 2-D convolution as a GEMM (PyTorch semantics: NCHW,
// weights [out, in, kh, kw], cross-correlation).
//
// For one image x [C, H, W], col is [C*kh*kw, OH*OW] (rows `ld` floats
// apart): row (c, i, j) holds the input pixel that kernel tap (i, j) of
// channel c sees at every output position (0 where the tap falls in the
// padding). Then Y = W [O, C*kh*kw] * col. col2im is the adjoint: it adds
// every column entry back into the pixel it came from (dx, zero-filled by the
// caller, accumulates).

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

export function im2col(
  x: usize, col: usize, ld: i32, C: i32, H: i32, W: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, OH: i32, OW: i32,
): void {
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
            // rows are short (14-28 floats): a loop beats a memory.copy call
            let ox = ox0;
            if (ASC_FEATURE_SIMD) {
              for (; ox + 4 <= ox1; ox += 4) v128.store(at(d, ox), v128.load(at(srow, ox)));
            }
            for (; ox < ox1; ox++) store<f32>(at(d, ox), load<f32>(at(srow, ox)));
          } else {
            for (let ox = ox0; ox < ox1; ox++) store<f32>(at(d, ox), load<f32>(at(srow, ox * sw)));
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
            if (sw == 1) {
              for (; ox + 4 <= ox1; ox += 4) {
                v128.store(at(drow, ox), f32x4.add(v128.load(at(drow, ox)), v128.load(at(s, ox))));
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
