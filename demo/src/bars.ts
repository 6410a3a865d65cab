// Bar charts by Vega-Lite, the grammar the benchmark report's charts use.
// Loaded on demand: Vega is most of the page's script.
import { compile, type TopLevelSpec } from "vega-lite";
import { parse, View } from "vega";

/** Horizontal bars of labelled values, as SVG. */
export async function barChart(target: HTMLElement, title: string, unit: string, rows: { label: string; value: number }[]): Promise<void> {
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 360,
    data: { values: rows },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: "label", type: "nominal", sort: null, title: null },
      x: { field: "value", type: "quantitative", title: unit },
    },
  };
  const view = new View(parse(compile(spec).spec), { renderer: "svg", container: target, hover: true });
  await view.runAsync();
}
