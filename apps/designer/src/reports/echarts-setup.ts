// ECharts with only what the report engine's chart types draw (loaded on demand, never in the
// initial bundle). toChartOption returns plain JSON; nothing here evaluates code.
import {
  BarChart,
  FunnelChart,
  GaugeChart,
  HeatmapChart,
  LineChart,
  MapChart,
  PieChart,
  RadarChart,
  ScatterChart,
  SunburstChart,
  TreemapChart,
} from 'echarts/charts';
import {
  CalendarComponent,
  DatasetComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  FunnelChart,
  GaugeChart,
  HeatmapChart,
  LineChart,
  MapChart,
  PieChart,
  RadarChart,
  ScatterChart,
  SunburstChart,
  TreemapChart,
  CalendarComponent,
  DatasetComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

let chinaRegistered: Promise<void> | null = null;

/** Registers the China province map once, from a lazily loaded GeoJSON asset. */
export function ensureChinaMap(): Promise<void> {
  chinaRegistered ??= import('./china-geo.js').then(({ loadChinaGeoJson }) => {
    echarts.registerMap('china', loadChinaGeoJson() as Parameters<typeof echarts.registerMap>[1]);
  });
  return chinaRegistered;
}

export { echarts };
