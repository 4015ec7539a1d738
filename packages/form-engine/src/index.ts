// The public door of @trellis/form-engine.
export type {
  AddressValue,
  CompiledForm,
  CompileOptions,
  FieldDefault,
  FieldOption,
  FieldPermissions,
  FieldSchema,
  FieldState,
  FieldType,
  FileValue,
  FormCheck,
  FormError,
  FormLayout,
  FormRuntimeContext,
  FormSchema,
  FormUser,
  FormulaResultType,
  Issue,
  JsonLogic,
  JsonSchemaError,
  JsonSchemaValidateFunction,
  LayoutColumns,
  LayoutField,
  LayoutItem,
  LayoutSection,
  LayoutTabs,
  Locale,
  LocalizedText,
  LocationValue,
  PrecompiledValidator,
  RollupAggregate,
  ValidationResult,
} from './types.js';
export { FIELD_TYPES, SYSTEM_FIELD_IDS } from './field-types.js';
export { VALUE_ERROR_CODES, type ValueErrorCode } from './messages.js';
export { FormEngineError, type FormEngineErrorCode } from './form-engine-error.js';
export {
  validateFormSchema,
  normalizeFormSchema,
  type KnownField,
  type KnownForm,
  type ValidateFormSchemaOptions,
} from './validate-form-schema.js';
export { compileForm, formJsonSchema, standaloneValidatorModule } from './compile-form.js';
export type { JsonSchema } from './json-schema.js';
export {
  applyFieldPermissions,
  type FieldAccess,
  type FieldAccessMap,
  type FieldPermissionPolicy,
  type FieldPermissionResult,
  type RoleFieldPolicy,
} from './field-permissions.js';
export { diffFormSchemas, type FormSchemaDiff, type OptionChanges } from './diff-form-schemas.js';
export {
  convertValue,
  type ConvertOptions,
  type ConvertResult,
  type ConvertTarget,
} from './convert-value.js';
export { losslessTypeChange } from './type-changes.js';
export { layoutFieldIds, resolveLayout } from './layout.js';
export { normalizePhone } from './phone.js';
export { sanitizeHtml } from './sanitize-html.js';
