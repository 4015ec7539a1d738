import { createContext, useContext } from 'react';
import type { TrellisApp } from '../api/apps-api.js';

export type AppContextValue = { app: TrellisApp; reload(): void };

export const AppContext = createContext<AppContextValue | null>(null);

/** The app whose screens are open (under /apps/:appId). */
export function useCurrentApp(): AppContextValue {
  const value = useContext(AppContext);
  if (value === null) throw new Error('useCurrentApp must be used under <AppLayout>');
  return value;
}
