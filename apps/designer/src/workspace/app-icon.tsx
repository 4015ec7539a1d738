import type { MessageKey } from '../i18n/messages-zh-cn.js';
import { Icon, type IconName } from '../ui/icon.js';
import './app-icon.css';

/** The icons an app can pick; stored as the key in the app's `icon`. */
export const APP_ICONS: ReadonlyArray<{
  key: string;
  icon: IconName;
  color: string;
  label: MessageKey;
}> = [
  { key: 'users', icon: 'users', color: '#0f766e', label: 'apps.icon.users' },
  { key: 'form', icon: 'form', color: '#1d5fbf', label: 'apps.icon.form' },
  { key: 'star', icon: 'star', color: '#b45309', label: 'apps.icon.star' },
  { key: 'location', icon: 'location', color: '#be185d', label: 'apps.icon.location' },
  { key: 'shield', icon: 'shield', color: '#6d28d9', label: 'apps.icon.shield' },
  { key: 'apps', icon: 'apps', color: '#15803d', label: 'apps.icon.apps' },
];

export function AppIcon({ icon, size = 40 }: { icon: string | null; size?: number }) {
  const chosen = APP_ICONS.find((entry) => entry.key === icon) ?? APP_ICONS[0];
  if (chosen === undefined) return null;
  return (
    <span
      className="app-icon"
      aria-hidden="true"
      data-size={size}
      style={{ background: chosen.color, width: size, height: size }}
    >
      <Icon name={chosen.icon} />
    </span>
  );
}
