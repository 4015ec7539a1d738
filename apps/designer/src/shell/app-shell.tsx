import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { isBuilder, useMe, useSession } from '../auth/session-context.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Button } from '../ui/button.js';
import { Icon, type IconName } from '../ui/icon.js';
import { BrandMark } from './brand-mark.js';
import { LanguageSwitch } from './language-switch.js';
import './app-shell.css';

type NavItem = { to: string; label: MessageKey; icon: IconName; builderOnly?: boolean };

const NAV: readonly NavItem[] = [
  { to: '/today', label: 'nav.myDay', icon: 'sun' },
  { to: '/approvals', label: 'nav.approvals', icon: 'inbox' },
  { to: '/apps', label: 'nav.apps', icon: 'apps' },
  { to: '/people/members', label: 'nav.members', icon: 'users', builderOnly: true },
  { to: '/people/teams', label: 'nav.teams', icon: 'team', builderOnly: true },
  { to: '/people/roles', label: 'nav.roles', icon: 'shield', builderOnly: true },
  { to: '/account', label: 'nav.account', icon: 'user' },
];

/** Top bar, side navigation (a drawer on phones) and the page. */
export function AppShell() {
  const { t } = useI18n();
  const me = useMe();
  const session = useSession();
  const location = useLocation();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const builder = isBuilder(me);
  // Full-width workspaces (the designers) keep the navigation in the drawer.
  const focused = /\/(design|flow|edit)$/.test(location.pathname);

  useEffect(() => setDrawerOpen(false), [location.pathname]);
  useEffect(() => {
    if (!drawerOpen) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setDrawerOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  return (
    <div className={focused ? 'shell shell--focused' : 'shell'}>
      <a className="skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <header className="shell__topbar">
        <Button
          variant="ghost"
          icon="menu"
          iconLabel={t('shell.openMenu')}
          className="shell__menu-button"
          aria-expanded={drawerOpen}
          aria-controls="shell-nav"
          onClick={() => setDrawerOpen((open) => !open)}
        />
        <NavLink to="/apps" className="shell__brand" aria-label={t('app.name')}>
          <BrandMark />
          <span className="shell__brand-name">{t('app.name')}</span>
        </NavLink>
        <span className="shell__workspace" title={me.workspace.name}>
          {me.workspace.name}
        </span>
        <div className="grow" />
        <LanguageSwitch compact />
        <span className="shell__user" title={me.user.email}>
          <span className="shell__avatar" aria-hidden="true">
            {me.member.displayName.slice(0, 1).toUpperCase()}
          </span>
          <span className="shell__user-name">{me.member.displayName}</span>
        </span>
        <Button
          variant="ghost"
          icon="logout"
          iconLabel={t('shell.signOut')}
          onClick={() => void session.signOut()}
          data-testid="sign-out"
        />
      </header>
      <div className="shell__body">
        <nav
          id="shell-nav"
          className={drawerOpen ? 'shell__nav shell__nav--open' : 'shell__nav'}
          aria-label={t('shell.mainNavigation')}
        >
          <ul className="list-plain">
            {NAV.filter((item) => builder || item.builderOnly !== true).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} className="shell__nav-link">
                  <Icon name={item.icon} />
                  <span>{t(item.label)}</span>
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        {drawerOpen ? (
          <div className="shell__scrim" aria-hidden="true" onClick={() => setDrawerOpen(false)} />
        ) : null}
        <main id="main" className="shell__main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
