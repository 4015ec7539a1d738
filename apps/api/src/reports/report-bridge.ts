import { Injectable } from '@nestjs/common';
import {
  type Condition,
  conditionFromJsonLogic,
  conditionToSql,
  normalizeCondition,
  type Issue,
} from '@trellis/report-engine';
import { ApiError } from '../common/errors/api-error.js';
import type { SqlParams } from '../database/sql-params.js';
import type { PublishedForm } from '../forms/form-catalog.service.js';
import type { RowScopeFilter } from '../policy/policy.service.js';
import { reportFormOf, tableMapOf } from './report-tables.js';

const NOT_READABLE = new Set(['FIELD_NOT_READABLE']);

/**
 * report-engine's structured conditions, as the records module uses them:
 * list filters and role row-scope predicates compiled to SQL from the
 * published layout only, with every value a bind parameter.
 */
@Injectable()
export class ReportBridge {
  /** A list filter; a field the viewer cannot read is refused with 403, even when nothing would match. */
  filterSql(
    raw: unknown,
    form: PublishedForm,
    unreadable: ReadonlySet<string>,
    params: SqlParams,
    alias: string,
    options: { now?: string; timeZone?: string } = {},
  ): string {
    const readable = form.schema.fields.map((f) => f.id).filter((id) => !unreadable.has(id));
    const condition = normalizeCondition(raw, reportFormOf(form), {
      readableFields: readable,
      now: options.now ?? new Date().toISOString(),
      timeZone: options.timeZone ?? 'Asia/Shanghai',
    });
    if (Array.isArray(condition)) throw conditionError(condition, 'filter');
    return conditionToSql(
      condition,
      { alias, formId: form.key, tables: tableMapOf([form]) },
      params,
    );
  }

  /** The viewer's row scope as a condition (owner in the allowed members, or a role predicate). */
  scopeCondition(scope: RowScopeFilter, form: PublishedForm): Condition | undefined {
    if (scope.all) return undefined;
    const parts: Condition[] = [];
    if (scope.ownerIds.length > 0) {
      const owners = normalizeCondition(
        { field: 'owner_id', op: 'in', value: scope.ownerIds },
        reportFormOf(form),
      );
      if (!Array.isArray(owners)) parts.push(owners);
    }
    for (const logic of scope.predicates) {
      const predicate = conditionFromJsonLogic(logic, reportFormOf(form));
      // a predicate that does not compile grants nothing (deny by default)
      if (!Array.isArray(predicate)) parts.push(predicate);
    }
    if (parts.length === 0) return { and: [{ field: 'id', op: 'is_empty', kind: 'uuid' }] };
    return parts.length === 1 ? parts[0] : { or: parts };
  }

  predicateSql(logic: unknown, form: PublishedForm, params: SqlParams, alias: string): string {
    const condition = conditionFromJsonLogic(logic, reportFormOf(form));
    if (Array.isArray(condition)) return 'FALSE';
    return conditionToSql(
      condition,
      { alias, formId: form.key, tables: tableMapOf([form]) },
      params,
    );
  }
}

/** Report-engine issues as an API error: 403 when the problem is a field the viewer may not read. */
export function conditionError(issues: readonly Issue[], prefix: string): ApiError {
  const errors = issues.map((i) => ({
    ...i,
    path: i.path === '' ? prefix : `${prefix}.${i.path}`,
  }));
  const forbidden = errors.filter((e) => NOT_READABLE.has(e.code));
  if (forbidden.length > 0)
    return ApiError.forbidden('You cannot use a field you cannot read', forbidden);
  return ApiError.validation(errors, `The ${prefix} has problems`);
}
