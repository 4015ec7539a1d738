/** Tokens of the signed-in member, kept across reloads. */
export type StoredSession = {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds at which the access token expires. */
  readonly expiresAt: number;
};

type Listener = (session: StoredSession | null) => void;

const STORAGE_KEY = 'trellis.session';

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record['accessToken'] === 'string' &&
    typeof record['refreshToken'] === 'string' &&
    typeof record['expiresAt'] === 'number'
  );
}

export class SessionStore {
  private session: StoredSession | null;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage | null) {
    this.session = this.read();
  }

  get(): StoredSession | null {
    return this.session;
  }

  set(session: StoredSession | null): void {
    this.session = session;
    try {
      if (session === null) this.storage?.removeItem(STORAGE_KEY);
      else this.storage?.setItem(STORAGE_KEY, JSON.stringify(session));
    } catch {
      // Not persisted; the session still works in this tab.
    }
    for (const listener of this.listeners) listener(session);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Another tab signed in, refreshed or signed out: follow it. */
  followOtherTabs(target: Window): void {
    target.addEventListener('storage', (event) => {
      if (event.key !== STORAGE_KEY) return;
      const fresh = parseStoredSession(event.newValue);
      if (fresh?.refreshToken === this.session?.refreshToken) return;
      this.session = fresh;
      for (const listener of this.listeners) listener(fresh);
    });
  }

  private read(): StoredSession | null {
    try {
      return parseStoredSession(this.storage?.getItem(STORAGE_KEY) ?? null);
    } catch {
      return null;
    }
  }
}

export function parseStoredSession(raw: string | null): StoredSession | null {
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isStoredSession(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export const sessionStore = new SessionStore(browserStorage());
sessionStore.followOtherTabs(window);
