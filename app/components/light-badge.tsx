import type { Light } from '../../domain/deadlines';
import { lightLabel } from '../../domain/format';

// Colour is never the only signal: every badge also carries its word and a distinct symbol.
const SYMBOL: Record<Light | 'unknown', string> = { green: '✓', yellow: '!', red: '✕', unknown: '?' };

export function LightBadge({ light, label }: { light: Light | null | undefined; label?: string }) {
  const key = light ?? 'unknown';
  const text = label ?? lightLabel(light);
  return (
    <span className={`badge badge--${key}`} data-light={key}>
      <span className="badge__symbol" aria-hidden="true">
        {SYMBOL[key]}
      </span>
      <span className="badge__text">{text}</span>
    </span>
  );
}
