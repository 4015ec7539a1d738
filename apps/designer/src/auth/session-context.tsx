import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { toStoredSession } from '../api/api-client.js';
import { authApi, type Me, type SignUpInput } from '../api/auth-api.js';
import { sessionStore } from '../api/session-store.js';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'unreachable'; error: unknown }
  | { status: 'signed-in'; me: Me };

export type Session = {
  readonly state: SessionState;
  signIn(input: { email: string; password: string }): Promise<void>;
  signUp(input: SignUpInput): Promise<void>;
  signOut(): Promise<void>;
  reload(): Promise<void>;
};

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>(() =>
    sessionStore.get() === null ? { status: 'signed-out' } : { status: 'loading' },
  );

  const loadMe = useCallback(async () => {
    if (sessionStore.get() === null) {
      setState({ status: 'signed-out' });
      return;
    }
    try {
      const me = await authApi.me();
      setState({ status: 'signed-in', me });
    } catch (error) {
      // The refresh was refused (signed out), or the API could not be reached (retry later).
      if (sessionStore.get() === null) setState({ status: 'signed-out' });
      else setState({ status: 'unreachable', error });
    }
  }, []);

  useEffect(() => {
    void loadMe();
    return sessionStore.subscribe((session) => {
      if (session === null) setState({ status: 'signed-out' });
    });
  }, [loadMe]);

  const signIn = useCallback(
    async (input: { email: string; password: string }) => {
      const session = await authApi.signIn(input);
      sessionStore.set(toStoredSession(session));
      await loadMe();
    },
    [loadMe],
  );

  const signUp = useCallback(
    async (input: SignUpInput) => {
      const session = await authApi.signUp(input);
      sessionStore.set(toStoredSession(session));
      await loadMe();
    },
    [loadMe],
  );

  const signOut = useCallback(async () => {
    const current = sessionStore.get();
    sessionStore.set(null);
    if (current !== null) {
      try {
        await authApi.signOut(current.refreshToken);
      } catch {
        // The tokens are gone from this browser either way.
      }
    }
  }, []);

  const value = useMemo<Session>(
    () => ({ state, signIn, signUp, signOut, reload: loadMe }),
    [state, signIn, signUp, signOut, loadMe],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (value === null) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

/** The signed-in member (only under routes that require a session). */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe needs a signed-in session');
  return state.me;
}

/** Builders may design apps; the server checks `manage_apps` on every call anyway. */
export function isBuilder(me: Me): boolean {
  return me.member.isOwner || me.roles.some((role) => role.key === 'owner' || role.key === 'admin');
}
