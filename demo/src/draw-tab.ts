// The drawing pad: white ink on black as in MNIST, preprocessed on every
// stroke and sent to the worker, which answers with the class probabilities.
import { toMnist } from "./preprocess.js";
import { drawGrey } from "./images.js";

export class DrawPad {
  /** The drawn digit as MNIST would have it (28x28 in [0, 1]). */
  digit: Float32Array = new Float32Array(784);
  private readonly ctx: CanvasRenderingContext2D;

  constructor(
    private readonly pad: HTMLCanvasElement,
    private readonly preview: HTMLCanvasElement,
    private readonly onChange: (digit: Float32Array, ink: Float32Array) => void,
  ) {
    this.ctx = pad.getContext("2d", { willReadFrequently: true })!;
    this.clear();
    let last: [number, number] | null = null;
    const at = (e: PointerEvent): [number, number] => {
      const r = pad.getBoundingClientRect();
      return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
    };
    pad.addEventListener("pointerdown", (e) => {
      pad.setPointerCapture(e.pointerId);
      last = at(e);
      this.stroke(last, last);
    });
    pad.addEventListener("pointermove", (e) => {
      if (!last) return;
      const p = at(e);
      this.stroke(last, p);
      last = p;
    });
    const end = () => (last = null);
    pad.addEventListener("pointerup", end);
    pad.addEventListener("pointercancel", end);
  }

  clear(): void {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.pad.width, this.pad.height);
    this.update();
  }

  private stroke(a: [number, number], b: [number, number]): void {
    const c = this.ctx;
    c.strokeStyle = "#fff";
    c.lineWidth = this.pad.width / 12;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.beginPath();
    c.moveTo(...a);
    c.lineTo(...b);
    c.stroke();
    this.update();
  }

  /** The pad's ink (red channel) as size x size values in [0, 1]. */
  ink(): Float32Array {
    const { width, height } = this.pad;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const out = new Float32Array(width * height);
    for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4] / 255;
    return out;
  }

  private update(): void {
    const ink = this.ink();
    this.digit = toMnist(ink, this.pad.width);
    drawGrey(this.preview, this.digit, 28, 28);
    this.onChange(this.digit, ink);
  }
}

/** The ten probabilities as bars, the most likely class marked. */
export function showProbabilities(target: HTMLElement, probs: Float32Array, labels: string[]): void {
  let best = 0;
  probs.forEach((p, i) => (best = p > probs[best] ? i : best));
  target.replaceChildren(
    ...Array.from(probs, (p, i) => {
      const row = document.createElement("div");
      row.className = i === best ? "bar top" : "bar";
      row.dataset.class = String(i);
      const fill = document.createElement("div");
      fill.className = "fill";
      fill.style.width = `${Math.round(p * 200)}px`;
      row.append(`${labels[i].padEnd(11)} ${(p * 100).toFixed(1).padStart(5)}%`, fill);
      return row;
    }),
  );
  target.dataset.top = String(best);
}
