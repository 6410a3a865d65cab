// Line charts by uPlot: the live training curves (it redraws thousands of
// points at 60 fps). Bar charts are Vega-Lite's (bars.ts).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export class LineChart {
  private readonly plot: uPlot;
  private readonly columns: number[][];
  private pending = false;

  constructor(
    target: HTMLElement,
    title: string,
    x: string,
    series: { label: string; color: string; points?: boolean }[],
    y?: { min?: number; max?: number },
    wholeX = false,
  ) {
    this.columns = [[], ...series.map(() => [])];
    this.plot = new uPlot(
      {
        title,
        width: 360,
        height: 220,
        scales: { x: { time: false }, y: y ? { range: [y.min ?? null, y.max ?? null] as uPlot.Range.MinMax } : {} },
        axes: [wholeX ? { incrs: [1, 2, 5, 10, 20, 50, 100] } : {}, { size: 64 }], // room for "120,000"
        series: [{ label: x }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: s.points ?? false } }))],
      },
      this.columns as uPlot.AlignedData,
      target,
    );
  }

  /** Adds a point; the chart redraws once per animation frame whatever the rate of points. */
  push(x: number, ...ys: (number | null)[]): void {
    this.columns[0].push(x);
    ys.forEach((y, i) => this.columns[i + 1].push(y as number));
    this.redraw();
  }

  set(xs: number[], ...ys: number[][]): void {
    this.columns.splice(0, this.columns.length, xs, ...ys);
    this.redraw();
  }

  clear(): void {
    for (const c of this.columns) c.length = 0;
    this.redraw();
  }

  private redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.plot.setData(this.columns as uPlot.AlignedData);
    });
  }
}
