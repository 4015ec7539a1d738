import { canonicalPhone, isPhone } from './value-formats.js';

/**
 * The canonical (E.164) form of a phone number as stored by phone fields, or undefined when it is
 * not one: `+86 138-1234-5678` → `+8613812345678`. Use it to search by phone.
 */
export function normalizePhone(input: string): string | undefined {
  return isPhone(input) ? canonicalPhone(input) : undefined;
}
