// decimal.js: its ESM build exports the class as the default export, while its type declarations
// describe the CommonJS build; this module gives both a consistent name.
import DecimalDefault from 'decimal.js';
import type { Decimal as DecimalClass } from 'decimal.js';

export const Decimal = DecimalDefault as unknown as typeof DecimalClass;
export type Decimal = DecimalClass;
