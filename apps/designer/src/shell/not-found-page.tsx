import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n-context.js';
import { buttonClass } from '../ui/button.js';
import { EmptyState } from '../ui/states.js';

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <div className="page">
      <EmptyState
        icon="alert"
        title={t('notFound.title')}
        action={
          <Link className={buttonClass('primary')} to="/apps">
            {t('notFound.back')}
          </Link>
        }
      >
        {t('notFound.body')}
      </EmptyState>
    </div>
  );
}
