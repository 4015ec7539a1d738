import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../auth/session-context.js';
import { returnPath } from '../auth/return-path.js';
import { useI18n } from '../i18n/i18n-context.js';
import { Button } from '../ui/button.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { Loading } from '../ui/states.js';

/** Routes behind sign-in: wait for the session, send strangers to /signin and back afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const { t } = useI18n();
  switch (session.state.status) {
    case 'loading':
      return <Loading />;
    case 'signed-out':
      return (
        <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />
      );
    case 'unreachable':
      return (
        <div className="page">
          <ProblemNotice error={session.state.error} />
          <p className="spaced-top">
            <Button onClick={() => void session.reload()} icon="refresh">
              {t('common.retry')}
            </Button>
          </p>
        </div>
      );
    case 'signed-in':
      return <>{children}</>;
  }
}

/** Sign-in and sign-up: a signed-in visitor goes on to the page they asked for (or the apps). */
export function PublicOnly({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.state.status === 'signed-in')
    return <Navigate to={returnPath(location.state)} replace />;
  return <>{children}</>;
}
