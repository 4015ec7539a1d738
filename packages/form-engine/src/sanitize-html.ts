// Rich text is HTML from the editor. It is stored sanitized (README rule 5): a strict allow-list of
// formatting tags, links limited to http(s)/mailto/tel, no attributes besides the listed ones, no
// style, no script or style bodies, no comments.
import { FilterXSS } from 'xss';

/** Attribute values are written between double quotes: those and angle brackets are escaped. */
const escapeAttrValue = (value: string): string =>
  value.replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const ALLOWED: Record<string, string[]> = {
  p: [],
  br: [],
  strong: [],
  b: [],
  em: [],
  i: [],
  u: [],
  s: [],
  del: [],
  sub: [],
  sup: [],
  span: [],
  blockquote: [],
  code: [],
  pre: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  ul: [],
  ol: [],
  li: [],
  hr: [],
  a: ['href', 'title'],
};

const SAFE_HREF = /^(?:https?:\/\/|mailto:|tel:)/i;

let filter: FilterXSS | undefined;

function getFilter(): FilterXSS {
  filter ??= new FilterXSS({
    whiteList: ALLOWED,
    stripIgnoreTag: true,
    stripIgnoreTagBody: ['script', 'style', 'iframe', 'object', 'embed', 'template', 'noscript'],
    allowCommentTag: false,
    css: false,
    onTagAttr(tag, name, value) {
      // A link to anything but http(s), mailto or tel loses its href altogether.
      if (tag === 'a' && name === 'href' && !SAFE_HREF.test(value.trim())) return '';
      return undefined;
    },
    safeAttrValue(_tag, _name, value) {
      return escapeAttrValue(value.trim());
    },
  });
  return filter;
}

/** The sanitized HTML (idempotent: sanitizing twice changes nothing). */
export function sanitizeHtml(html: string): string {
  return getFilter().process(html);
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
};

/** The visible text of (sanitized) HTML: tags dropped, block ends as new lines, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(?:p|div|li|h[1-6]|blockquote|pre)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+\d*);/gi, (match, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X'))
        return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#') && name !== '#39')
        return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? match;
    })
    .replace(/\n+$/, '');
}

/** Plain text as HTML paragraphs (the inverse of htmlToText for text without markup). */
export function textToHtml(text: string): string {
  const escape = (s: string): string =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return text
    .split('\n')
    .map((line) => `<p>${escape(line)}</p>`)
    .join('');
}
