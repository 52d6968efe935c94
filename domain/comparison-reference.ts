// HKVO §6a: the documented reference value an average user comes from when neither the building
// nor the organisation has enough comparable measured units (domain/monthly.ts averageUserFor).
// The portal ships a default; an organisation may document its own, and a property its own again
// (a passive house is not compared with the national average). Pure: storage is server/.
import { DEFAULT_REFERENCE_CONSUMPTION, type ReferenceConsumption } from './monthly';
import { ValidationError } from './validation';

/** Where a reference value is set: for the whole organisation, or for one property. */
export type ReferenceScope = 'organisation' | 'property';

/** A reference value as the manager documents it. */
export interface StoredReference {
  heatingKwhPerM2Year: number;
  hotWaterKwhPerM2Year: number;
  /** The manager's documentation: study, energy certificate, own evaluation … */
  source: string;
}

/** Field names of the form (German UI labels in the messages). */
export const REFERENCE_FIELDS = {
  heatingKwhPerM2Year: 'Raumwärme (kWh/m² und Jahr)',
  hotWaterKwhPerM2Year: 'Warmwasser (kWh/m² und Jahr)',
  source: 'Quelle',
} as const;

/** Plausible bounds: from a passive house to an unrenovated building; hot water per §9(2)'s order of magnitude. */
export const REFERENCE_LIMITS = {
  heatingKwhPerM2Year: { min: 5, max: 500 },
  hotWaterKwhPerM2Year: { min: 1, max: 100 },
  sourceMaxLength: 300,
} as const;

const number = (value: number) => value.toLocaleString('de-DE', { maximumFractionDigits: 2 });

/** "130" and "12,5" as typed in a German form; at most 2 decimals. */
function readKwh(value: unknown, field: 'heatingKwhPerM2Year' | 'hotWaterKwhPerM2Year'): number {
  const label = REFERENCE_FIELDS[field];
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (text === '') throw new ValidationError(field, `${label}: bitte einen Wert angeben.`);
  if (!/^\d+([.,]\d{1,2})?$/.test(text)) {
    throw new ValidationError(field, `${label}: bitte eine Zahl mit höchstens zwei Nachkommastellen angeben (z. B. 130 oder 32,5).`);
  }
  const kwh = Number(text.replace(',', '.'));
  const { min, max } = REFERENCE_LIMITS[field];
  if (kwh < min || kwh > max) throw new ValidationError(field, `${label}: erlaubt sind ${number(min)} bis ${number(max)}.`);
  return kwh;
}

/** Validates a reference value from a form (or the API); each error names its field. */
export function parseReference(input: {
  heatingKwhPerM2Year?: unknown;
  hotWaterKwhPerM2Year?: unknown;
  source?: unknown;
}): StoredReference {
  const heatingKwhPerM2Year = readKwh(input.heatingKwhPerM2Year, 'heatingKwhPerM2Year');
  const hotWaterKwhPerM2Year = readKwh(input.hotWaterKwhPerM2Year, 'hotWaterKwhPerM2Year');
  const source = typeof input.source === 'string' ? input.source.trim().replace(/\s+/g, ' ') : '';
  if (source === '') {
    throw new ValidationError(
      'source',
      `${REFERENCE_FIELDS.source}: bitte angeben, woher der Wert stammt (§6a: der Vergleich wird belegt).`,
    );
  }
  if (source.length > REFERENCE_LIMITS.sourceMaxLength) {
    throw new ValidationError('source', `${REFERENCE_FIELDS.source}: höchstens ${REFERENCE_LIMITS.sourceMaxLength} Zeichen.`);
  }
  return { heatingKwhPerM2Year, hotWaterKwhPerM2Year, source };
}

/**
 * The reference the monthly information uses: the property's own, else the organisation's, else
 * the portal's default. Its `source` says which one and where the figures come from, as the
 * tenant reads it next to the comparison.
 */
export function effectiveReference(stored: {
  property: StoredReference | null;
  organisation: StoredReference | null;
}): ReferenceConsumption {
  const [reference, whose] = stored.property
    ? [stored.property, 'Referenzwert für diese Liegenschaft']
    : stored.organisation
      ? [stored.organisation, 'Referenzwert der Verwaltung']
      : [null, null];
  if (!reference) return DEFAULT_REFERENCE_CONSUMPTION;
  return {
    heatingKwhPerM2Year: reference.heatingKwhPerM2Year,
    hotWaterKwhPerM2Year: reference.hotWaterKwhPerM2Year,
    source:
      `${whose}: Raumwärme ${number(reference.heatingKwhPerM2Year)} kWh/m² und Jahr, ` +
      `Warmwasser ${number(reference.hotWaterKwhPerM2Year)} kWh/m² und Jahr (Quelle: ${reference.source})`,
  };
}
