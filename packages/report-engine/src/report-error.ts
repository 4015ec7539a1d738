/** Every error the report engine throws (host mistakes, never user input): `code` is stable. */
export class ReportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ReportError';
    this.code = code;
  }
}
