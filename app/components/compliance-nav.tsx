import { NavLink } from '@remix-run/react';

const DESK = [
  { to: '/pruefung', label: 'Pflichten', end: true },
  { to: '/pruefung/abdeckung', label: 'Abdeckung', end: false },
  { to: '/pruefung/protokoll', label: 'Prüfprotokoll', end: false },
] as const;

/** The compliance desk's sections; plain links, so it works without JavaScript. */
export function ComplianceNav() {
  return (
    <nav aria-label="Prüfung" className="tabs">
      {DESK.map((item) => (
        <NavLink key={item.to} to={item.to} className="tabs__tab" end={item.end}>
          {item.label}
        </NavLink>
      ))}
    </nav>
  );
}
