import { z } from 'zod';

export const LocalizedTextSchema = z.union([
  z.string().min(1).max(500),
  z
    .object({ 'zh-CN': z.string().min(1).max(500), en: z.string().max(500).optional() })
    .catchall(z.string().max(500)),
]);

/** A label in several languages; zh-CN is the default locale. */
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

export function pickText(
  text: string | { readonly [locale: string]: string | undefined } | null | undefined,
  locale: string,
): string {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[locale] ?? text['zh-CN'] ?? Object.values(text).find((v) => v !== undefined) ?? '';
}
