/** Where to go after signing in: the page that asked for it (same origin paths only), else the apps. */
export function returnPath(state: unknown): string {
  if (typeof state === 'object' && state !== null) {
    const from = (state as Record<string, unknown>)['from'];
    if (typeof from === 'string' && from.startsWith('/') && !from.startsWith('//')) return from;
  }
  return '/apps';
}
