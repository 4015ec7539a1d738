import type { ReportResult, ResultRow } from '@trellis/report-engine';
import { resultGrid } from '@trellis/report-engine';
import { useI18n } from '../i18n/i18n-context.js';
import { Loading } from '../ui/states.js';
import { formatMeasure, formatPlainNumber } from './result-format.js';
import { useLabelledResult } from './result-labels.js';

function label(text: ResultRow['labels'][string] | undefined, locale: string): string {
  if (text === undefined) return '';
  return typeof text === 'string' ? text : (text[locale] ?? text['zh-CN']);
}

/** A result as a table; each row opens the records it counts (keyboard-accessible drill-down). */
export function ResultTable({
  result: raw,
  onDrill,
}: {
  result: ReportResult;
  onDrill?(row: ResultRow): void;
}) {
  const { locale, t } = useI18n();
  const { result, ready } = useLabelledResult(raw);
  if (!ready) return <Loading />;
  if (result.kind === 'pivot' || result.fields.length > 0) {
    const grid = resultGrid(result, locale);
    const pivot = result.kind === 'pivot' && result.pivot !== undefined;
    const rowDims = pivot ? (result.pivot?.rowDimensions.length ?? 0) : 0;
    const shown = result.measures.filter((m) => !m.hidden);
    /** A pivot's value columns repeat its measures for every column key. */
    const format = (cell: number, column: number): string => {
      const measure = pivot ? shown[(column - rowDims) % Math.max(1, shown.length)] : undefined;
      return measure === undefined
        ? formatPlainNumber(cell, locale)
        : formatMeasure(cell, measure.format, locale, measure.fn);
    };
    return (
      <div className="table-wrap result-table">
        <table className="table">
          <thead>
            {grid.header.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (
                  <th key={j} scope="col">
                    {cell ?? ''}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {grid.body.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (
                  <td
                    key={j}
                    className={
                      typeof cell === 'number'
                        ? 'result-table__number'
                        : typeof cell === 'string' && cell.length > 12 && !/^\d{4}/.test(cell)
                          ? 'result-table__text'
                          : undefined
                    }
                  >
                    {typeof cell === 'number' ? format(cell, j) : (cell ?? '')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  const measures = result.measures.filter((m) => !m.hidden);
  const rows = [
    ...result.rows,
    ...(result.total === null || result.rows.includes(result.total) ? [] : [result.total]),
  ];
  return (
    <div className="table-wrap result-table">
      <table className="table" data-testid="result-table">
        <thead>
          <tr>
            {result.dimensions.map((d) => (
              <th key={d.id} scope="col">
                {label(d.label, locale)}
              </th>
            ))}
            {measures.map((m) => (
              <th key={m.id} scope="col" className="result-table__number">
                {label(m.label, locale)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i} className={row.level === 'detail' ? undefined : 'result-table__total'}>
              {result.dimensions.map((d, j) => {
                const text = row.rolledUp.includes(d.id)
                  ? j === 0
                    ? t('reports.total')
                    : ''
                  : label(row.labels[d.id], locale);
                return (
                  <td key={d.id}>
                    {j === 0 && onDrill !== undefined ? (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => onDrill(row)}
                        data-testid="drill-row"
                      >
                        {text || t('reports.total')}
                      </button>
                    ) : (
                      text
                    )}
                  </td>
                );
              })}
              {measures.map((m) => {
                const value = row.values[m.id];
                return (
                  <td key={m.id} className="result-table__number">
                    {formatMeasure(value, m.format, locale, m.fn)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
