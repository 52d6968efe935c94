// Counting and summarising traffic lights; shared by loaders and components.
import type { Light } from './deadlines';

export type LightCounts = Record<Light | 'unknown', number>;

export function emptyLightCounts(): LightCounts {
  return { red: 0, yellow: 0, green: 0, unknown: 0 };
}

export function countLights(lights: Iterable<Light | null>, into: LightCounts = emptyLightCounts()): LightCounts {
  for (const light of lights) into[light ?? 'unknown'] += 1;
  return into;
}

export function addLightCounts(into: LightCounts, more: LightCounts): LightCounts {
  for (const key of Object.keys(into) as Array<keyof LightCounts>) into[key] += more[key];
  return into;
}

/** The status of a group of devices: any red → red (Kritisch), any yellow → yellow (Warnung); null when empty. */
export function worstLight(counts: LightCounts): Light | null {
  if (counts.red > 0) return 'red';
  if (counts.yellow > 0) return 'yellow';
  if (counts.green > 0) return 'green';
  return null;
}
