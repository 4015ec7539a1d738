/** Every error the rule engine throws: `code` is stable, `path` is the dotted rule path (or ''). */
export class RuleError extends Error {
  readonly code: string;
  readonly path: string;
  constructor(code: string, message: string, path = '') {
    super(message);
    this.name = 'RuleError';
    this.code = code;
    this.path = path;
  }
}
