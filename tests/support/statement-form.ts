// The statement entry form as a browser posts it: rows as `fuel[0].amount`, ticked boxes as "on".
import type { StatementFormValues } from '../../server/statements';

export function formFields(values: StatementFormValues, intent: string, extra: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = { intent, ...extra };
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value))
      value.forEach((row, i) =>
        Object.entries(row).forEach(([field, text]) => {
          fields[`${key}[${i}].${field}`] = String(text);
        }),
      );
    else if (typeof value === 'boolean') {
      if (value) fields[key] = 'on';
    } else fields[key] = value;
  }
  return fields;
}
