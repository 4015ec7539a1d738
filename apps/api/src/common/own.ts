/**
 * `obj[key]` for dictionaries keyed by user-supplied names: only the object's
 * own properties count, so "__proto__" or "constructor" find nothing instead
 * of Object.prototype's members.
 */
export function own<T>(dictionary: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(dictionary, key) ? dictionary[key] : undefined;
}
