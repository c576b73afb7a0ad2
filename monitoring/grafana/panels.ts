/**
 * Builders of the Grafana panels toolflow's dashboard uses, typed with `@grafana/schema` (Grafana's
 * own generated types of the dashboard JSON model and of each panel plugin's options and field
 * config), so a field the model does not have, or a required option left out, fails `tsc`.
 *
 * Every panel queries the dashboard's datasource variable (`${datasource}`, a Prometheus data
 * source the viewer picks). Grid: 24 columns; heights in grid units (30 px). Query targets are the
 * Prometheus data source's (Grafana `public/app/plugins/datasource/prometheus`, `PromQuery`:
 * `expr`, `legendFormat`, `instant`, `range`, `format`, `editorMode`); `@grafana/schema` has only
 * their common part (`DataQuery`: `refId`, `datasource`, `hide`).
 */
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  GraphDrawStyle,
  LegendDisplayMode,
  PercentChangeColorMode,
  SortOrder,
  StackingMode,
  TableCellHeight,
  TooltipDisplayMode,
  VizOrientation,
  type DataQuery,
  type DataSourceRef,
  type GridPos,
  type Panel,
  type RowPanel,
} from '@grafana/schema';
import type { Options as TableOptions } from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type { FieldConfig as TimeSeriesFieldConfig, Options as TimeSeriesOptions } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';

/** The datasource every panel and variable uses: the dashboard's variable `datasource`. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Where a query's metrics come from: toolflow itself (and Prometheus' `up`), or a standard exporter. */
export type QuerySource = 'toolflow' | 'kube-state-metrics+cadvisor';

/** A Prometheus query target (the data source's `PromQuery`, the fields used here). */
export interface PromTarget extends DataQuery {
  expr: string;
  legendFormat?: string;
  /** An instant query (one value per series at the end of the range): stats and tables. */
  instant?: boolean;
  range?: boolean;
  format?: 'time_series' | 'table';
  editorMode?: 'code';
}

/** What a panel shows: its queries, each `[expr, legend]`. */
export interface PanelSpec {
  title: string;
  description: string;
  /** Grafana unit id (`s`, `bytes`, `percentunit`, `short`, `opm`, `Bps`). */
  unit?: string;
  queries: [expr: string, legend: string][];
  /** Width in grid columns (of 24) and height in grid units. */
  w: number;
  h?: number;
}

/** Lays panels out left to right, wrapping at 24 columns, and numbers them. */
export class Layout {
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  private id = 0;
  readonly panels: (Panel | RowPanel)[] = [];

  /** A row header across the grid. */
  row(title: string): void {
    this.newLine();
    this.panels.push({ type: 'row', title, collapsed: false, id: ++this.id, panels: [], gridPos: { x: 0, y: this.y, w: 24, h: 1 } });
    this.y += 1;
  }

  /** The next position for a panel `w` wide and `h` high. */
  place(w: number, h: number): { gridPos: GridPos; id: number } {
    if (this.x + w > 24) this.newLine();
    const gridPos = { x: this.x, y: this.y, w, h };
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return { gridPos, id: ++this.id };
  }

  add(panel: Panel): void {
    this.panels.push(panel);
  }

  private newLine(): void {
    if (this.x > 0) this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

/** The targets of `spec`, refIds A, B, …. */
function targets(spec: PanelSpec, instant: boolean) {
  return spec.queries.map(
    ([expr, legend], i) =>
      ({
        refId: String.fromCharCode(65 + i),
        datasource: DATASOURCE,
        editorMode: 'code',
        expr,
        legendFormat: legend,
        ...(instant ? { instant: true, range: false, format: 'table' as const } : { range: true }),
      }) satisfies PromTarget,
  );
}

/** A time series panel (lines; `stacked` draws stacked bars, for counts per interval). */
export function timeseries(layout: Layout, spec: PanelSpec, options: { stacked?: boolean } = {}): void {
  const stacked = options.stacked === true;
  const custom = {
    drawStyle: stacked ? GraphDrawStyle.Bars : GraphDrawStyle.Line,
    lineWidth: 1,
    fillOpacity: stacked ? 80 : 10,
    spanNulls: false,
    stacking: { mode: stacked ? StackingMode.Normal : StackingMode.None, group: 'A' },
  } satisfies TimeSeriesFieldConfig;
  const panelOptions = {
    legend: { showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] },
    tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
  } satisfies TimeSeriesOptions;
  layout.add({
    type: 'timeseries',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    ...layout.place(spec.w, spec.h ?? 8),
    fieldConfig: { defaults: { unit: spec.unit ?? 'short', min: 0, custom }, overrides: [] },
    options: panelOptions,
    targets: targets(spec, false),
  });
}

/** A stat panel: the last value of each query. */
export function stat(layout: Layout, spec: PanelSpec): void {
  const panelOptions = {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    orientation: VizOrientation.Auto,
    textMode: BigValueTextMode.Auto,
    colorMode: BigValueColorMode.Value,
    graphMode: BigValueGraphMode.None,
    justifyMode: BigValueJustifyMode.Auto,
    showPercentChange: false,
    percentChangeColorMode: PercentChangeColorMode.Standard,
    wideLayout: true,
  } satisfies StatOptions;
  layout.add({
    type: 'stat',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    ...layout.place(spec.w, spec.h ?? 4),
    fieldConfig: { defaults: { unit: spec.unit ?? 'short' }, overrides: [] },
    options: panelOptions,
    targets: targets(spec, true),
  });
}

/** A table of an instant query: one row per series, its labels as columns and its value last. */
export function table(layout: Layout, spec: PanelSpec): void {
  const panelOptions = {
    showHeader: true,
    cellHeight: TableCellHeight.Sm,
    frameIndex: 0,
    sortBy: [{ displayName: 'Value', desc: true }],
  } satisfies TableOptions;
  layout.add({
    type: 'table',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    ...layout.place(spec.w, spec.h ?? 8),
    fieldConfig: { defaults: { unit: spec.unit ?? 'short' }, overrides: [] },
    options: panelOptions,
    // Only the series' labels and value: the time column of an instant query says nothing here.
    transformations: [{ id: 'organize', options: { excludeByName: { Time: true } } }],
    targets: targets(spec, true),
  });
}
