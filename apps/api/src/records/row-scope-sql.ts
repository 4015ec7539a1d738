import { Injectable } from '@nestjs/common';
import type { SqlParams } from '../database/sql-params.js';
import type { PublishedForm } from '../forms/form-catalog.service.js';
import { q } from '../forms/table-layout.js';
import type { RowScopeFilter } from '../policy/policy.service.js';
import { ReportBridge } from '../reports/report-bridge.js';

/**
 * The viewer's row scope as a SQL predicate over a record table: owned by one
 * of the allowed members, or matching one of the role's JsonLogic predicates
 * (compiled by report-engine from the form's field-to-column map).
 */
@Injectable()
export class RowScopeSql {
  constructor(private readonly reports: ReportBridge) {}

  where(scope: RowScopeFilter, form: PublishedForm, params: SqlParams, alias: string): string {
    if (scope.all) return 'TRUE';
    const parts: string[] = [];
    if (scope.ownerIds.length > 0)
      parts.push(`${q(alias)}.owner_id = ANY(${params.add(scope.ownerIds)}::uuid[])`);
    for (const predicate of scope.predicates)
      parts.push(this.reports.predicateSql(predicate, form, params, alias));
    return parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`;
  }
}
