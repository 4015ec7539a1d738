import {
  type CompiledForm,
  type FormError,
  type FormRuntimeContext,
  normalizePhone,
} from '@trellis/form-engine';
import type { PublishedForm, SchemaField } from '../forms/form-catalog.service.js';
import type { FieldStorage } from '../forms/table-layout.js';
import type { RecordStore } from '../records/record-store.js';
import {
  cleanEmail,
  cleanPhone,
  cleanText,
  cleanUrl,
  type DateOrder,
  EXCEL_SCIENTIFIC,
  labelKey,
  normalizeCompanyName,
  normalizeExact,
  parseBoolean,
  parseDate,
  parseDateTime,
  parseDecimal,
  splitList,
  toHalfWidth,
  trimCell,
} from './import-cleaning.js';
import { arrayLiteral, COPY_NULL, copyEscape, copyValue } from './copy-text.js';
import { uuidv7 } from './uuid-v7.js';

export type MatchMethod = 'phone' | 'email' | 'company' | 'exact';
export type OnMatch = 'skip' | 'update' | 'create';
export type OnDuplicateInFile = 'skip' | 'update' | 'create' | 'reject';
export type ImportMode = 'skip_bad_rows' | 'all_or_nothing';

/** What the user decided in the wizard (PUT /imports/:id/mapping). */
export type ImportSettings = {
  readonly headerLine: number | null;
  readonly columns: ReadonlyArray<{
    readonly column: number;
    readonly field: string | null;
    /** Cell text → option value, for this column's select field. */
    readonly options?: Readonly<Record<string, string>>;
  }>;
  readonly dateOrder: DateOrder;
  readonly matchKeys: ReadonlyArray<{ readonly field: string; readonly method: MatchMethod }>;
  readonly onMatch: OnMatch;
  readonly onDuplicateInFile: OnDuplicateInFile;
};

/** Field types a column can fill. Relations, people, files, sub-tables and computed fields cannot. */
export const IMPORTABLE_TYPES: ReadonlySet<string> = new Set([
  'text',
  'textarea',
  'rich_text',
  'phone',
  'email',
  'url',
  'select',
  'radio',
  'multi_select',
  'number',
  'percent',
  'rating',
  'currency',
  'date',
  'datetime',
  'boolean',
]);

export function defaultMatchMethod(type: string): MatchMethod {
  return type === 'phone' ? 'phone' : type === 'email' ? 'email' : 'exact';
}

/** A problem with one row: which field and column, a code, and the message in both languages. */
export type RowIssue = {
  readonly field: string | null;
  readonly column: string | null;
  readonly code: string;
  readonly messages: { readonly 'zh-CN': string; readonly en: string };
  readonly params?: Readonly<Record<string, string | number | boolean>>;
};

type ColumnField = Extract<FieldStorage, { storage: 'column' }>;

type Cleaner = (cell: string) => { value: unknown } | { issue: RowIssue } | null;

type MappedColumn = {
  readonly index: number;
  readonly header: string;
  readonly field: SchemaField;
  readonly clean: Cleaner;
};

export type ImportPlan = {
  readonly form: PublishedForm;
  readonly store: RecordStore;
  readonly compiled: CompiledForm;
  readonly width: number;
  readonly mapped: readonly MappedColumn[];
  /** Columns of the staging table that hold field values (every stored field but serials). */
  readonly stageFields: ReadonlyArray<readonly [string, ColumnField]>;
  readonly keys: ReadonlyArray<{ readonly field: string; readonly method: MatchMethod }>;
  /** Rows keep their cleaned cells for updates (some match policy updates). */
  readonly needsPatch: boolean;
  readonly createContext: FormRuntimeContext;
  readonly headerOf: ReadonlyMap<string, string>;
};

export type PreparedRow = {
  readonly line: number;
  readonly ok: boolean;
  readonly copyLine: string;
};

function issue(
  field: string | null,
  column: string | null,
  code: string,
  zh: string,
  en: string,
): RowIssue {
  return { field, column, code, messages: { 'zh-CN': zh, en } };
}

function optionCleaner(field: SchemaField, custom: Readonly<Record<string, string>> | undefined) {
  const byLabel = new Map<string, string>();
  for (const option of field.options ?? []) {
    byLabel.set(labelKey(option.value), option.value);
    const label = option.label;
    if (typeof label === 'string') byLabel.set(labelKey(label), option.value);
    else if (label !== undefined)
      for (const text of Object.values(label))
        if (typeof text === 'string') byLabel.set(labelKey(text), option.value);
  }
  for (const [text, value] of Object.entries(custom ?? {})) byLabel.set(labelKey(text), value);
  return (text: string): string => byLabel.get(labelKey(text)) ?? trimCell(text);
}

/** How one column's cells become values of its field. Null: the cell is empty (the field is left alone). */
export function cleanerFor(
  field: SchemaField,
  header: string,
  dateOrder: DateOrder,
  timeZone: string,
  options?: Readonly<Record<string, string>>,
): Cleaner {
  const empty = (cell: string) => trimCell(cell) === '';
  const keep = (value: unknown) => ({ value });
  switch (field.type) {
    case 'phone':
      return (cell) => {
        if (empty(cell)) return null;
        const text = cleanPhone(cell);
        if (EXCEL_SCIENTIFIC.test(toHalfWidth(trimCell(cell))))
          return {
            issue: issue(
              field.id,
              header,
              'EXCEL_SCIENTIFIC',
              `${trimCell(cell)} 已被 Excel 按科学计数法截断，请把该列设为“文本”格式后重新导出`,
              `Excel shortened ${trimCell(cell)} to scientific notation and the digits are lost; format the column as Text and export again`,
            ),
          };
        return keep(text);
      };
    case 'email':
      return (cell) => (empty(cell) ? null : keep(cleanEmail(cell)));
    case 'url':
      return (cell) => (empty(cell) ? null : keep(cleanUrl(cell)));
    case 'number':
    case 'percent':
    case 'rating':
      return (cell) => {
        if (empty(cell)) return null;
        const decimal = parseDecimal(cell);
        return keep(decimal === null ? trimCell(cell) : Number(decimal));
      };
    case 'currency':
      return (cell) => (empty(cell) ? null : keep(parseDecimal(cell) ?? trimCell(cell)));
    case 'date':
      return (cell) => (empty(cell) ? null : keep(parseDate(cell, dateOrder) ?? trimCell(cell)));
    case 'datetime':
      return (cell) =>
        empty(cell) ? null : keep(parseDateTime(cell, timeZone, dateOrder) ?? trimCell(cell));
    case 'boolean':
      return (cell) => (empty(cell) ? null : keep(parseBoolean(cell) ?? trimCell(cell)));
    case 'select':
    case 'radio': {
      const option = optionCleaner(field, options);
      return (cell) => (empty(cell) ? null : keep(option(cell)));
    }
    case 'multi_select': {
      const option = optionCleaner(field, options);
      return (cell) => (empty(cell) ? null : keep(splitList(cell).map(option)));
    }
    case 'textarea':
    case 'rich_text':
      return (cell) => (empty(cell) ? null : keep(trimCell(cell)));
    default:
      return (cell) => (empty(cell) ? null : keep(cleanText(cell)));
  }
}

/** The key a value is matched on, normalised so that 某某有限公司 meets 某某公司. */
export function matchKey(method: MatchMethod, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (text.trim() === '') return null;
  switch (method) {
    case 'phone':
      return normalizePhone(text) ?? null;
    case 'email': {
      const email = text.trim().toLowerCase();
      return email.includes('@') ? email : null;
    }
    case 'company': {
      const name = normalizeCompanyName(text);
      return name === '' ? null : name;
    }
    case 'exact':
      return normalizeExact(text);
  }
}

export function issuesOf(
  errors: readonly FormError[],
  headerOf: ReadonlyMap<string, string>,
): RowIssue[] {
  return errors.map((e) => {
    const field = e.path === '' ? null : (e.path.split('.')[0] ?? null);
    return {
      field,
      column: field === null ? null : (headerOf.get(field) ?? null),
      code: e.code,
      messages: e.messages,
      ...(e.params !== undefined ? { params: e.params } : {}),
    };
  });
}

/** The staging table's system columns, in COPY order (field columns follow). */
export const STAGE_SYSTEM_COLUMNS = [
  '_line',
  '_id',
  '_ok',
  '_errors',
  '_patch',
  '_k0',
  '_k1',
  '_k2',
  '_search_text',
  '_search_grams',
] as const;

/**
 * Cleans, maps and validates one row: as a new record (full submit
 * validation, defaults, formulas), plus the cleaned cells for a possible
 * update and the normalised match keys. Returns the row as one COPY line.
 */
export function prepareRow(plan: ImportPlan, line: number, cells: readonly string[]): PreparedRow {
  const own: RowIssue[] = [];
  for (let i = plan.width; i < cells.length; i++) {
    if (trimCell(cells[i] ?? '') !== '') {
      own.push(
        issue(
          null,
          null,
          'EXTRA_CELLS',
          `该行有 ${cells.length} 个单元格，但表头只有 ${plan.width} 列；某个值可能含有未加引号的分隔符`,
          `The row has ${cells.length} cells but the header has ${plan.width} columns; a value probably contains an unquoted delimiter`,
        ),
      );
      break;
    }
  }
  const patch: Record<string, unknown> = {};
  for (const column of plan.mapped) {
    const cleaned = column.clean(cells[column.index] ?? '');
    if (cleaned === null) continue;
    if ('issue' in cleaned) own.push(cleaned.issue);
    else patch[column.field.id] = cleaned.value;
  }
  const outcome = plan.compiled.validate(patch, plan.createContext);
  const ok = outcome.ok && own.length === 0;
  const ownFields = new Set(own.map((i) => i.field));
  const errors = [
    ...own,
    ...(outcome.ok
      ? []
      : issuesOf(outcome.errors, plan.headerOf).filter((i) => !ownFields.has(i.field))),
  ];
  const values = outcome.ok ? outcome.values : null;

  let text = `${line}\t${uuidv7()}\t${ok ? 't' : 'f'}\t`;
  text += errors.length === 0 ? COPY_NULL : copyEscape(JSON.stringify(errors));
  text += '\t';
  text += plan.needsPatch && own.length === 0 ? copyEscape(JSON.stringify(patch)) : COPY_NULL;
  for (let k = 0; k < 3; k++) {
    const spec = plan.keys[k];
    const key =
      spec === undefined ? null : matchKey(spec.method, values?.[spec.field] ?? patch[spec.field]);
    text += `\t${key === null ? COPY_NULL : copyEscape(key)}`;
  }
  if (values !== null && ok) {
    const search = plan.store.searchColumns(values);
    text += `\t${copyEscape(search.text)}\t${copyEscape(arrayLiteral(search.grams))}`;
    for (const [id, storage] of plan.stageFields)
      text += `\t${copyValue(storage.sqlType, values[id])}`;
  } else {
    text += `\t${COPY_NULL}\t${COPY_NULL}`;
    for (let i = 0; i < plan.stageFields.length; i++) text += `\t${COPY_NULL}`;
  }
  return { line, ok, copyLine: `${text}\n` };
}

export type PlanInput = {
  readonly form: PublishedForm;
  readonly store: RecordStore;
  readonly compiled: CompiledForm;
  readonly settings: ImportSettings;
  readonly headers: readonly string[];
  readonly hidden: readonly string[];
  readonly readOnly: readonly string[];
  readonly locale: string;
  readonly timeZone: string;
  readonly memberId: string;
  readonly now: string;
};

export function buildPlan(input: PlanInput): ImportPlan {
  const { form, settings } = input;
  const fields = new Map(form.schema.fields.map((f) => [f.id, f]));
  const mapped: MappedColumn[] = [];
  const headerOf = new Map<string, string>();
  for (const c of settings.columns) {
    if (c.field === null) continue;
    const field = fields.get(c.field);
    if (field === undefined) continue;
    const header = input.headers[c.column] ?? `列 ${c.column + 1}`;
    headerOf.set(field.id, header);
    mapped.push({
      index: c.column,
      header,
      field,
      clean: cleanerFor(field, header, settings.dateOrder, input.timeZone, c.options),
    });
  }
  const stageFields = Object.entries(form.layout.fields)
    .filter((e): e is [string, ColumnField] => e[1].storage === 'column' && e[1].type !== 'serial')
    .map(([id, storage]) => [id, storage] as const);
  return {
    form,
    store: input.store,
    compiled: input.compiled,
    width: input.headers.length,
    mapped,
    stageFields,
    keys: settings.matchKeys,
    needsPatch: settings.onMatch === 'update' || settings.onDuplicateInFile === 'update',
    createContext: {
      locale: input.locale,
      mode: 'submit',
      now: input.now,
      timeZone: input.timeZone,
      user: { id: input.memberId },
      permissions: { hidden: [...input.hidden], readOnly: [...input.readOnly] },
    },
    headerOf,
  };
}
