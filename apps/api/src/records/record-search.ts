/**
 * Substring search that works for Chinese. pg_trgm ignores CJK characters
 * under the C locale (and PGlite runs with it), so we index character
 * unigrams and bigrams in a text[] with a GIN index, narrow with
 * `search_grams @> grams(query)`, and confirm with LIKE on the lowercased text.
 */
const MAX_INDEXED_CHARS = 500;

export function searchText(values: readonly unknown[]): string {
  return values
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map((v) => String(v).toLowerCase().normalize('NFKC'))
    .join(' ');
}

export function searchGrams(text: string): string[] {
  const grams = new Set<string>();
  for (const word of text.split(/\s+/)) {
    const chars = Array.from(word.slice(0, MAX_INDEXED_CHARS));
    for (let i = 0; i < chars.length; i++) {
      grams.add(chars[i] as string);
      if (i + 1 < chars.length) grams.add(`${chars[i]}${chars[i + 1]}`);
    }
  }
  return [...grams];
}

/** The grams every match must contain: bigrams of the query (its single character when it has one). */
export function queryGrams(query: string): string[] {
  const grams = new Set<string>();
  for (const word of normaliseQuery(query).split(/\s+/).filter(Boolean)) {
    const chars = Array.from(word);
    if (chars.length === 1) grams.add(chars[0] as string);
    for (let i = 0; i + 1 < chars.length; i++) grams.add(`${chars[i]}${chars[i + 1]}`);
  }
  return [...grams];
}

export function normaliseQuery(query: string): string {
  return query.toLowerCase().normalize('NFKC').trim();
}

/** A LIKE pattern matching the query anywhere, with %, _ and \ escaped. */
export function likePattern(query: string): string {
  return `%${normaliseQuery(query).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
