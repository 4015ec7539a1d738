// Reports (report-engine's normalizeReport against the bundle's forms; the chart fits the report)
// and dashboards (tiles name existing reports and
// measures, sit on the 24-column grid and do not overlap).
import {
  CHART_TYPES,
  normalizeReport,
  type ReportForm,
  type ReportKind,
} from '@trellis/report-engine';
import { checkUniqueKeys, type Report } from './check-forms.js';
import { DASHBOARD_COLUMNS } from './bundle-json-schema.js';
import {
  asArray,
  isDateType,
  isObject,
  join,
  resolvePath,
  valueType,
  type BundleIndex,
  type FormInfo,
  type Obj,
} from './form-index.js';

const REPORT_TIME_ZONE = 'Asia/Shanghai';
/** A fixed instant: relative periods must resolve, but validation never reads the clock. */
const VALIDATION_NOW = '2026-01-01T00:00:00Z';

/** The bundle's forms as report-engine reads them (well-formed ones only). */
function reportForms(bundle: Obj): ReportForm[] {
  return asArray(bundle['forms'])
    .filter(isObject)
    .filter((f) => typeof f['id'] === 'string' && Array.isArray(f['fields']))
    .map((f) => ({
      id: f['id'] as string,
      fields: (f['fields'] as unknown[])
        .filter(isObject)
        .filter(
          (x) => typeof x['id'] === 'string' && typeof x['type'] === 'string',
        ) as unknown as ReportForm['fields'],
    }));
}

function measureIds(spec: unknown): { all: Set<string>; visible: string[] } {
  const all = new Set<string>();
  const visible: string[] = [];
  if (!isObject(spec)) return { all, visible };
  for (const m of asArray(spec['measures'])) {
    if (!isObject(m) || typeof m['id'] !== 'string') continue;
    all.add(m['id']);
    if (m['hidden'] !== true) visible.push(m['id']);
  }
  return { all, visible };
}

function checkChart(report: Report, chart: unknown, spec: unknown, path: string): void {
  if (!isObject(chart) || !isObject(spec) || typeof chart['type'] !== 'string') return;
  const info = CHART_TYPES.find((c) => c.id === chart['type']);
  if (info === undefined) return; // the JSON Schema reports it
  const kind = spec['kind'] as ReportKind;
  if (!info.kinds.includes(kind)) {
    report(
      join(path, 'type'),
      'chart_mismatch',
      `a ${info.id} chart shows ${info.kinds.join(', ')} reports, not ${String(kind)}`,
    );
  }
  const dims = asArray(spec['dimensions']).length + asArray(spec['columns']).length;
  if (dims < info.dimensions.min || dims > info.dimensions.max) {
    report(
      join(path, 'type'),
      'chart_mismatch',
      `a ${info.id} chart shows ${info.dimensions.min}–${info.dimensions.max} dimensions; this report has ${dims}`,
    );
  }
  const { all, visible } = measureIds(spec);
  const drawn = Array.isArray(chart['measures']) ? chart['measures'].length : visible.length;
  if (drawn < info.measures.min) {
    report(
      join(path, 'type'),
      'chart_mismatch',
      `a ${info.id} chart needs at least ${info.measures.min} measures`,
    );
  }
  if (info.requires === 'province') {
    const first = asArray(spec['dimensions'])[0];
    const field = isObject(first) && typeof first['field'] === 'string' ? first['field'] : '';
    if (!/(^|[._])province$/.test(field)) {
      report(
        join(path, 'type'),
        'chart_mismatch',
        'a China map needs a province dimension (a text field such as "province")',
      );
    }
  }
  for (const key of ['measures', 'lineMeasures'] as const) {
    asArray(chart[key]).forEach((m, i) => {
      if (typeof m === 'string' && !all.has(m)) {
        report(
          join(path, `${key}.${i}`),
          'unknown_measure',
          `"${m}" is not a measure of this report`,
        );
      }
    });
  }
}

export type ReportIndex = ReadonlyMap<
  string,
  { measures: ReadonlySet<string>; form?: FormInfo; kind: unknown }
>;

export function checkReports(report: Report, bundle: Obj, index: BundleIndex): ReportIndex {
  const reports = asArray(bundle['reports']);
  checkUniqueKeys(report, reports, 'reports', 'id', 'report');
  const forms = reportForms(bundle);
  const out = new Map<string, { measures: ReadonlySet<string>; form?: FormInfo; kind: unknown }>();
  reports.forEach((r, i) => {
    if (!isObject(r)) return;
    const spec = r['spec'];
    if (isObject(spec)) {
      const normalized = normalizeReport(spec, forms, {
        now: VALIDATION_NOW,
        timeZone: REPORT_TIME_ZONE,
      });
      if (Array.isArray(normalized)) {
        for (const issue of normalized)
          report(join(`reports.${i}.spec`, issue.path), issue.code, issue.message);
      }
    }
    checkChart(report, r['chart'], spec, `reports.${i}.chart`);
    const form =
      isObject(spec) && typeof spec['form'] === 'string'
        ? index.forms.get(spec['form'])
        : undefined;
    if (typeof r['id'] === 'string' && !out.has(r['id'])) {
      out.set(r['id'], {
        measures: measureIds(spec).all,
        ...(form === undefined ? {} : { form }),
        kind: isObject(spec) ? spec['kind'] : undefined,
      });
    }
  });
  return out;
}

type Box = { x: number; y: number; w: number; h: number; path: string };

export function checkDashboards(
  report: Report,
  bundle: Obj,
  index: BundleIndex,
  reports: ReportIndex,
): void {
  const dashboards = asArray(bundle['dashboards']);
  checkUniqueKeys(report, dashboards, 'dashboards', 'id', 'dashboard');
  dashboards.forEach((d, i) => {
    if (!isObject(d)) return;
    const at = `dashboards.${i}`;
    asArray(d['audience']).forEach((role, j) => {
      if (typeof role === 'string' && !index.roles.has(role)) {
        report(join(at, `audience.${j}`), 'unknown_role', `no role "${role}" in this bundle`);
      }
    });
    const items = asArray(d['items']);
    checkUniqueKeys(report, items, join(at, 'items'), 'id', 'item');
    const boxes: Box[] = [];
    const used = new Set<string>();
    items.forEach((item, j) => {
      if (!isObject(item)) return;
      const ip = join(at, `items.${j}`);
      const reportId = item['reportId'];
      if (typeof reportId === 'string') {
        used.add(reportId);
        if (!reports.has(reportId))
          report(join(ip, 'reportId'), 'unknown_report', `no report "${reportId}" in this bundle`);
      }
      const kpi = item['kpi'];
      if (isObject(kpi) && typeof kpi['reportId'] === 'string') {
        used.add(kpi['reportId']);
        const target = reports.get(kpi['reportId']);
        if (target === undefined)
          report(
            join(ip, 'kpi.reportId'),
            'unknown_report',
            `no report "${kpi['reportId']}" in this bundle`,
          );
        else {
          if (typeof kpi['measure'] === 'string' && !target.measures.has(kpi['measure'])) {
            report(
              join(ip, 'kpi.measure'),
              'unknown_measure',
              `report "${kpi['reportId']}" has no measure "${kpi['measure']}"`,
            );
          }
          if (target.kind !== 'kpi')
            report(
              join(ip, 'kpi.reportId'),
              'not_a_kpi_report',
              `report "${kpi['reportId']}" is a ${String(target.kind)} report, not a kpi report`,
            );
        }
      }
      const { x, y, w, h } = item;
      if ([x, y, w, h].every((n) => typeof n === 'number' && Number.isInteger(n))) {
        const box: Box = {
          x: x as number,
          y: y as number,
          w: w as number,
          h: h as number,
          path: ip,
        };
        if (box.x + box.w > DASHBOARD_COLUMNS) {
          report(
            join(ip, 'w'),
            'out_of_grid',
            `x + w = ${box.x + box.w}: the grid is ${DASHBOARD_COLUMNS} columns wide`,
          );
        }
        const hit = boxes.find(
          (b) =>
            b.x < box.x + box.w && box.x < b.x + b.w && b.y < box.y + box.h && box.y < b.y + b.h,
        );
        if (hit !== undefined) report(ip, 'overlap', `overlaps ${hit.path}`);
        boxes.push(box);
      }
    });
    asArray(d['filters']).forEach((f, j) => {
      if (!isObject(f)) return;
      const fp = join(at, `filters.${j}`);
      const fields = f['fields'];
      if (!isObject(fields)) {
        if (f['kind'] === 'field')
          report(
            join(fp, 'fields'),
            'required',
            'a field filter names the field of each report it narrows',
          );
        return;
      }
      for (const [reportId, field] of Object.entries(fields)) {
        const target = reports.get(reportId);
        if (target === undefined || !used.has(reportId)) {
          report(
            join(fp, `fields.${reportId}`),
            'unknown_report',
            `no report "${reportId}" on this dashboard`,
          );
          continue;
        }
        if (target.form === undefined || typeof field !== 'string') continue;
        const r = resolvePath(index, target.form.id, field);
        if (!r.ok)
          report(join(fp, `fields.${reportId}`), 'unknown_field', `"${field}": ${r.message}`);
        else if (f['kind'] === 'date_range' && !isDateType(valueType(r))) {
          report(join(fp, `fields.${reportId}`), 'not_a_date_field', `"${field}" is not a date`);
        } else if (f['kind'] === 'owner' && r.field.type !== 'user') {
          report(
            join(fp, `fields.${reportId}`),
            'not_a_user_field',
            `"${field}" is not a user field`,
          );
        }
      }
    });
  });
}
