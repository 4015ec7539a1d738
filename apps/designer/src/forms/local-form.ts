import { evaluate, truthy } from '@trellis/rule-engine';
import type {
  CompiledFormLike,
  FieldState,
  FormContext,
  FormValueError,
} from './form-runtime-types.js';
import {
  COMPUTED_TYPES,
  DEFAULT_RATING_MAX,
  type FieldSchema,
  type FormSchema,
  type JsonLogic,
} from './form-schema.js';

/**
 * A browser-side stand-in for form-engine's compiled form, for schemas without a published
 * validator (the designer's live preview of a draft). It evaluates conditions and formulas with
 * the rule engine and checks the common constraints; the server's form-engine stays the
 * authority and its messages are shown when it answers.
 */

type Messages = { 'zh-CN': string; en: string };

const PHONE =
  /^\s*(?:(?:(?:\+86|0086|\(\+86\))[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}|(?:\(0(?:10|2\d|[3-9]\d{2})\)|0(?:10|2\d|[3-9]\d{2}))[ -]?\d{3,4}[ -]?\d{4}|(?:\+|00)(?!86)[1-9](?:[ ()-]{0,2}\d){6,14})\s*$/u;
const EMAIL =
  /^\s*[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\s*$/u;
const URL_RE = /^\s*[Hh][Tt][Tt][Pp][Ss]?:\/\/[^\s/?#]+(?:[/?#]\S*)?\s*$/u;
const DATE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;
const DECIMAL = /^\s*[+-]?\d{1,18}(?:\.\d{1,10})?\s*$/;

function message(zh: string, en: string): Messages {
  return { 'zh-CN': zh, en };
}

function codePoints(text: string): number {
  return [...text].length;
}

function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function isEmptyValue(value: unknown, field?: FieldSchema): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') {
    return field?.type === 'rich_text' ? visibleText(value) === '' : value.trim() === '';
  }
  if (Array.isArray(value)) return value.length === 0;
  if (field?.type === 'address' && typeof value === 'object') {
    return Object.values(value as Record<string, unknown>).every(
      (part) => part === null || part === undefined || part === '',
    );
  }
  return false;
}

function ruleData(values: Readonly<Record<string, unknown>>, ctx: FormContext | undefined) {
  return {
    ...values,
    $user: ctx?.user ?? null,
    $stage: ctx?.stage ?? null,
    $now: ctx?.now ?? new Date().toISOString(),
  };
}

function check(rule: JsonLogic, data: unknown, ctx: FormContext | undefined, fallback: boolean) {
  try {
    return truthy(
      evaluate(rule, data, { now: ctx?.now ?? new Date().toISOString(), timeZone: ctx?.timeZone }),
    );
  } catch {
    return fallback;
  }
}

function fieldState(field: FieldSchema, data: unknown, ctx: FormContext | undefined): FieldState {
  const hidden = ctx?.permissions?.hidden.includes(field.id) === true;
  const visible = !hidden && (field.visible === undefined || check(field.visible, data, ctx, true));
  const required =
    field.required === true ||
    (field.required !== undefined &&
      field.required !== false &&
      check(field.required, data, ctx, false));
  const readOnly =
    COMPUTED_TYPES.has(field.type) ||
    ctx?.permissions?.readOnly.includes(field.id) === true ||
    field.readOnly === true ||
    (field.readOnly !== undefined &&
      field.readOnly !== false &&
      check(field.readOnly, data, ctx, false));
  return { visible, required, readOnly };
}

function bound(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Constraint checks of one non-empty value; returns the first problem. */
function valueError(
  field: FieldSchema,
  value: unknown,
): { code: string; messages: Messages } | null {
  const min = bound(field.min);
  const max = bound(field.max);
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'rich_text': {
      if (typeof value !== 'string')
        return { code: 'type', messages: message('请输入文本', 'Enter text') };
      const length = codePoints(field.type === 'rich_text' ? visibleText(value) : value);
      if (field.minLength !== undefined && length < field.minLength)
        return {
          code: 'minLength',
          messages: message(
            `至少 ${field.minLength} 个字`,
            `At least ${field.minLength} characters`,
          ),
        };
      if (field.maxLength !== undefined && length > field.maxLength)
        return {
          code: 'maxLength',
          messages: message(
            `最多 ${field.maxLength} 个字`,
            `At most ${field.maxLength} characters`,
          ),
        };
      if (field.pattern !== undefined && field.type !== 'rich_text') {
        try {
          if (!new RegExp(field.pattern, 'u').test(value))
            return { code: 'pattern', messages: message('格式不正确', 'The format is not valid') };
        } catch {
          return null;
        }
      }
      return null;
    }
    case 'phone':
      return typeof value === 'string' && PHONE.test(value)
        ? null
        : {
            code: 'phone',
            messages: message(
              '请输入有效的电话号码，如 13812345678',
              'Enter a valid phone number, e.g. 13812345678',
            ),
          };
    case 'email':
      return typeof value === 'string' && EMAIL.test(value)
        ? null
        : {
            code: 'email',
            messages: message('请输入有效的邮箱地址', 'Enter a valid e-mail address'),
          };
    case 'url':
      return typeof value === 'string' && URL_RE.test(value)
        ? null
        : {
            code: 'url',
            messages: message(
              '请输入以 http:// 或 https:// 开头的网址',
              'Enter a web address starting with http:// or https://',
            ),
          };
    case 'number':
    case 'percent':
    case 'rating': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return { code: 'type', messages: message('请输入数字', 'Enter a number') };
      const upper = field.type === 'rating' ? (max ?? DEFAULT_RATING_MAX) : max;
      const lower = field.type === 'rating' ? (min ?? 1) : min;
      if (field.type === 'rating' && !Number.isInteger(value))
        return { code: 'type', messages: message('请选择星级', 'Choose a rating') };
      if (lower !== undefined && value < lower)
        return {
          code: 'minimum',
          messages: message(`不能小于 ${lower}`, `Must be at least ${lower}`),
        };
      if (upper !== undefined && value > upper)
        return {
          code: 'maximum',
          messages: message(`不能大于 ${upper}`, `Must be at most ${upper}`),
        };
      return null;
    }
    case 'currency': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !DECIMAL.test(text))
        return {
          code: 'decimal',
          messages: message('请输入金额，如 12800.50', 'Enter an amount, e.g. 12800.50'),
        };
      const n = Number(text);
      if (min !== undefined && n < min)
        return { code: 'minimum', messages: message(`不能小于 ${min}`, `Must be at least ${min}`) };
      if (max !== undefined && n > max)
        return { code: 'maximum', messages: message(`不能大于 ${max}`, `Must be at most ${max}`) };
      return null;
    }
    case 'date': {
      if (typeof value !== 'string' || !DATE.test(value))
        return { code: 'date', messages: message('请输入有效日期', 'Enter a valid date') };
      if (typeof field.min === 'string' && value < field.min)
        return {
          code: 'minimum',
          messages: message(`不能早于 ${field.min}`, `Must be on or after ${field.min}`),
        };
      if (typeof field.max === 'string' && value > field.max)
        return {
          code: 'maximum',
          messages: message(`不能晚于 ${field.max}`, `Must be on or before ${field.max}`),
        };
      return null;
    }
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value))
        ? null
        : {
            code: 'datetime',
            messages: message('请输入有效的日期时间', 'Enter a valid date and time'),
          };
    case 'select':
    case 'radio':
      return (field.options ?? []).some((option) => option.value === value)
        ? null
        : { code: 'enum', messages: message('请选择列表中的选项', 'Choose one of the options') };
    case 'multi_select': {
      if (
        !Array.isArray(value) ||
        !value.every((v) => (field.options ?? []).some((o) => o.value === v))
      )
        return { code: 'enum', messages: message('请选择列表中的选项', 'Choose from the options') };
      if (min !== undefined && value.length < min)
        return {
          code: 'minItems',
          messages: message(`至少选择 ${min} 项`, `Choose at least ${min}`),
        };
      if (max !== undefined && value.length > max)
        return {
          code: 'maxItems',
          messages: message(`最多选择 ${max} 项`, `Choose at most ${max}`),
        };
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean'
        ? null
        : { code: 'type', messages: message('请选择是或否', 'Choose yes or no') };
    default:
      return null;
  }
}

function coerceFormula(field: FieldSchema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (field.resultType ?? 'number') {
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? n : null;
    }
    case 'text':
      return String(value);
    case 'boolean':
      return truthy(value);
    case 'date':
      return typeof value === 'string' ? value.slice(0, 10) : null;
  }
}

export function createLocalForm(schema: FormSchema): CompiledFormLike {
  const fields = schema.fields;

  function computeFormulas(values: Readonly<Record<string, unknown>>, ctx?: FormContext) {
    const next: Record<string, unknown> = { ...values };
    const formulas = fields.filter(
      (field) => field.type === 'formula' && field.formula !== undefined,
    );
    // Formulas may read other formulas: a few passes settle chains without needing an order.
    for (let pass = 0; pass < Math.min(formulas.length, 5); pass += 1) {
      for (const field of formulas) {
        try {
          next[field.id] = coerceFormula(
            field,
            evaluate(field.formula, ruleData(next, ctx), { now: ctx?.now }),
          );
        } catch {
          next[field.id] = null;
        }
      }
    }
    const computed: Record<string, unknown> = {};
    for (const field of formulas) computed[field.id] = next[field.id];
    return computed;
  }

  function fieldStates(values: Readonly<Record<string, unknown>>, ctx?: FormContext) {
    const data = ruleData({ ...values, ...computeFormulas(values, ctx) }, ctx);
    const states: Record<string, FieldState> = {};
    for (const field of fields) states[field.id] = fieldState(field, data, ctx);
    return states;
  }

  return {
    schema,
    computeFormulas,
    fieldStates,
    initialValues(ctx) {
      const values: Record<string, unknown> = {};
      for (const field of fields) {
        if (field.default === undefined) continue;
        const preset = field.default;
        if (typeof preset === 'object' && preset !== null && '$logic' in preset) {
          try {
            values[field.id] = evaluate(
              (preset as { $logic: JsonLogic }).$logic,
              ruleData({}, ctx),
              { now: ctx?.now },
            );
          } catch {
            // A default that cannot be computed leaves the field empty.
          }
        } else values[field.id] = preset;
      }
      return { ...values, ...computeFormulas(values, ctx) };
    },
    validate(raw, ctx) {
      const values = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<
        string,
        unknown
      >;
      const locale = ctx?.locale === 'en' ? 'en' : 'zh-CN';
      const states = fieldStates(values, ctx);
      const errors: FormValueError[] = [];
      const push = (path: string, code: string, messages: Messages) =>
        errors.push({ path, code, message: messages[locale], messages });
      for (const field of fields) {
        const state = states[field.id];
        if (state === undefined || !state.visible || COMPUTED_TYPES.has(field.type)) continue;
        const value = values[field.id];
        if (isEmptyValue(value, field)) {
          if (state.required && ctx?.mode !== 'draft')
            push(field.id, 'required', message('此项为必填', 'This field is required'));
          continue;
        }
        const problem = valueError(field, value);
        if (problem !== null && (ctx?.mode !== 'draft' || problem.code === 'type'))
          push(field.id, problem.code, problem.messages);
      }
      if (ctx?.mode !== 'draft') {
        const data = ruleData({ ...values, ...computeFormulas(values, ctx) }, ctx);
        for (const formCheck of schema.checks ?? []) {
          if (!check(formCheck.rule, data, ctx, true)) {
            const text =
              typeof formCheck.message === 'string'
                ? { 'zh-CN': formCheck.message, en: formCheck.message }
                : {
                    'zh-CN': formCheck.message['zh-CN'],
                    en: formCheck.message.en ?? formCheck.message['zh-CN'],
                  };
            push('', 'check', text);
          }
        }
      }
      return errors.length === 0 ? { ok: true, values } : { ok: false, errors };
    },
  };
}
