// German wording for the readings page of what the gateway ingest reports about a telegram (its
// reasons are English: they are the REST API's, server/gateway-ingest.ts). A reason this does not
// know is shown as it is rather than hidden. Pure.

/** The telegram's field a problem is about, as the page names it. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  id: 'Zählernummer (id)',
  media: 'Medium (media)',
  timestamp: 'Zeitpunkt (timestamp)',
  value: 'Wert',
};

const REASONS: ReadonlyArray<[RegExp, (...groups: string[]) => string]> = [
  [/^not JSON$/, () => 'keine JSON-Zeile (wmbusmeters mit format=json)'],
  [/^not a JSON object$/, () => 'kein JSON-Objekt'],
  [/^unknown serial (.+)$/, (serial) => `unbekannte Zählernummer „${serial}“`],
  [/^device (\S+) is a (\S+), the telegram a (\S+)$/, (serial, type, kind) => `Gerät ${serial} ist ein ${type}, das Telegramm ein ${kind}`],
  [/^before the device was installed \((.+)\)$/, (day) => `vor dem Einbau des Geräts (${day})`],
  [/^after the device was removed \((.+)\)$/, (day) => `nach dem Ausbau des Geräts (${day})`],
  [/^value (.+) out of range$/, (value) => `Wert ${value} außerhalb des zulässigen Bereichs`],
  [
    /^another value is stored for (\S+) at (\S+)(?: \((.+)\))?$/,
    (serial, at, stored) => `für ${serial} ist zum Zeitpunkt ${at} schon ein anderer Wert gespeichert${stored ? ` (${stored})` : ''}`,
  ],
  [/^unsupported medium: (.*)$/, (media) => `Medium wird nicht abgerechnet: ${media}`],
  [/^missing id$/, () => 'ohne Zählernummer (id)'],
  [/^no consumption value$/, () => 'ohne Verbrauchswert'],
];

/** `{ field, message }` of a reported telegram, for the page's table of lines. */
export function describeTelegramProblem(problem: { field?: string; reason: string }): { field: string; message: string } {
  const field = problem.field === undefined ? 'Zeile' : (FIELD_LABELS[problem.field] ?? problem.field);
  for (const [pattern, german] of REASONS) {
    const match = pattern.exec(problem.reason);
    if (match) return { field, message: german(...match.slice(1).map((g) => g ?? '')) };
  }
  return { field, message: problem.reason };
}
