// Float arrays drawn as small images: grey for pixels, and a diverging
// blue-white-red for weights (negative blue, positive red, scaled by the
// largest magnitude) so a unit's "looks for" and "looks against" both show.

export function drawGrey(canvas: HTMLCanvasElement, values: ArrayLike<number>, w: number, h: number, lo = 0, hi = 1): void {
  canvas.width = w;
  canvas.height = h;
  const img = new ImageData(w, h);
  const span = hi - lo || 1;
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, (values[i] - lo) / span)));
    img.data.set([v, v, v, 255], i * 4);
  }
  canvas.getContext("2d")!.putImageData(img, 0, 0);
}

export function drawDiverging(canvas: HTMLCanvasElement, values: ArrayLike<number>, w: number, h: number): void {
  canvas.width = w;
  canvas.height = h;
  let max = 1e-12;
  for (let i = 0; i < w * h; i++) max = Math.max(max, Math.abs(values[i]));
  const img = new ImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const t = values[i] / max; // in [-1, 1]
    const fade = Math.round(255 * (1 - Math.abs(t)));
    img.data.set(t >= 0 ? [255, fade, fade, 255] : [fade, fade, 255, 255], i * 4);
  }
  canvas.getContext("2d")!.putImageData(img, 0, 0);
}

/** Fills a grid element with one canvas per tile (reusing the canvases already there). */
export function drawTiles(
  grid: HTMLElement,
  data: Float32Array,
  count: number,
  size: number,
  diverging: boolean,
  title = (i: number) => `${i}`,
): void {
  while (grid.children.length > count) grid.lastChild!.remove();
  while (grid.children.length < count) grid.append(document.createElement("canvas"));
  for (let i = 0; i < count; i++) {
    const c = grid.children[i] as HTMLCanvasElement;
    c.title = title(i);
    const tile = data.subarray(i * size * size, (i + 1) * size * size);
    if (diverging) drawDiverging(c, tile, size, size);
    else {
      let hi = 1e-12;
      for (const v of tile) hi = Math.max(hi, v);
      drawGrey(c, tile, size, size, 0, hi);
    }
  }
}
