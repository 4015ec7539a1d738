import type { ReactNode } from 'react';
import { LanguageSwitch } from '../shell/language-switch.js';
import { useI18n } from '../i18n/i18n-context.js';
import { BrandMark } from '../shell/brand-mark.js';
import './auth.css';

/** The frame of the sign-in and sign-up screens. */
export function AuthLayout({
  title,
  children,
  footer,
}: {
  title: string;
  children: ReactNode;
  footer: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="auth">
      <div className="auth__top">
        <div className="auth__brand">
          <BrandMark />
          <span>{t('app.name')}</span>
        </div>
        <LanguageSwitch />
      </div>
      <main className="auth__main" id="main">
        <section className="auth__intro" aria-hidden="false">
          <h2>{t('auth.tagline')}</h2>
          <ul className="list-plain">
            <li>{t('auth.point1')}</li>
            <li>{t('auth.point2')}</li>
            <li>{t('auth.point3')}</li>
          </ul>
        </section>
        <section className="auth__card card" aria-labelledby="auth-title">
          <div className="card__body">
            <h1 id="auth-title">{title}</h1>
            {children}
          </div>
          <div className="auth__footer">{footer}</div>
        </section>
      </main>
    </div>
  );
}
