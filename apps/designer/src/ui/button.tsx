import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { Icon, type IconName } from './icon.js';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  size?: 'small' | 'medium';
  icon?: IconName;
  /** Shows a spinner and disables the button. */
  busy?: boolean;
  block?: boolean;
  /** An icon-only button: `children` is omitted and this is its accessible name. */
  iconLabel?: string;
  children?: ReactNode;
};

export function buttonClass(
  variant: ButtonVariant = 'secondary',
  size: 'small' | 'medium' = 'medium',
  extra?: string,
): string {
  return [
    'btn',
    variant === 'secondary' ? '' : `btn--${variant}`,
    size === 'small' ? 'btn--small' : '',
    extra ?? '',
  ]
    .filter(Boolean)
    .join(' ');
}

export function Button({
  variant = 'secondary',
  size = 'medium',
  icon,
  busy = false,
  block = false,
  iconLabel,
  className,
  children,
  disabled,
  type = 'button',
  ...rest
}: ButtonProps) {
  const classes = buttonClass(
    variant,
    size,
    [iconLabel !== undefined ? 'btn--icon' : '', block ? 'btn--block' : '', className ?? '']
      .filter(Boolean)
      .join(' '),
  );
  return (
    <button
      type={type}
      className={classes}
      disabled={disabled === true || busy}
      aria-busy={busy || undefined}
      aria-label={iconLabel}
      title={iconLabel}
      {...rest}
    >
      {busy ? <span className="btn__spinner" aria-hidden="true" /> : null}
      {!busy && icon !== undefined ? <Icon name={icon} /> : null}
      {iconLabel === undefined ? children : null}
    </button>
  );
}
