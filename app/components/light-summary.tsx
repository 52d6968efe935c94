import { Link } from '@remix-run/react';
import type { Light } from '../../domain/deadlines';
import type { LightCounts } from '../../domain/lights';
import { LIGHTS_BY_SEVERITY, formatNumber, lightLabel } from '../../domain/format';

/** Device counts per light as tiles; with `hrefFor` each tile links to the filtered register. */
export function LightSummary({
  counts,
  hrefFor,
  current,
  label = 'Geräte nach Ampel',
}: {
  counts: LightCounts;
  hrefFor?: (light: Light) => string;
  current?: Light | null;
  label?: string;
}) {
  return (
    <ul className="light-summary" aria-label={label}>
      {LIGHTS_BY_SEVERITY.map((light) => {
        const content = (
          <>
            <span className="light-summary__count">{formatNumber(counts[light])}</span>
            <span className="light-summary__label">{lightLabel(light)}</span>
          </>
        );
        return (
          <li key={light} className={`light-summary__item light-summary__item--${light}`}>
            {hrefFor ? (
              <Link to={hrefFor(light)} aria-current={current === light ? 'true' : undefined}>
                {content}
              </Link>
            ) : (
              <span>{content}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
