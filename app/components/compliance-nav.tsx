import { Link, NavLink } from '@remix-run/react';

const DESK = [
  { to: '/pruefung', label: 'Pflichten', end: true },
  { to: '/pruefung/abdeckung', label: 'Abdeckung', end: false },
  { to: '/pruefung/berichte', label: 'Berichte', end: false },
  { to: '/pruefung/protokoll', label: 'Prüfprotokoll', end: false },
  { to: '/pruefung/integritaet', label: 'Nachweisprüfung', end: false },
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

/** A desk filter form's buttons; a plain GET, so it works without JavaScript. */
export function FilterActions({ submit, resetTo }: { submit: string; resetTo: string }) {
  return (
    <div className="filters__actions">
      <button type="submit" className="button button--primary">
        {submit}
      </button>
      <Link to={resetTo} className="button button--ghost">
        Zurücksetzen
      </Link>
    </div>
  );
}

/** Said once above the results when any filter field was refused (each field names its own fault). */
export function FilterErrorsAlert({ shown }: { shown: boolean }) {
  return shown ? (
    <div className="alert alert--error" role="alert">
      Bitte die markierten Felder berichtigen.
    </div>
  ) : null;
}
