import { NavLink } from '@remix-run/react';
import type { NavItem } from '~/utils/navigation';

/** The sub-navigation between the settings pages a role may open; nothing when there is only one. */
export function SettingsNav({ items }: { items: readonly NavItem[] }) {
  if (items.length < 2) return null;
  return (
    <nav aria-label="Einstellungen" className="settings-nav">
      {items.map((item) => (
        <NavLink key={item.to} to={item.to} className="button" end>
          {item.label}
        </NavLink>
      ))}
    </nav>
  );
}
