// Records that a delivered document was opened. Loaders only read, so the page reports its own
// opening with a POST once it is shown (with JavaScript), or by the button (without).
import { useEffect } from 'react';
import { Form, useFetcher } from '@remix-run/react';

export const OPENED_INTENT = 'opened';

export function OpeningReceipt({ fields, label = 'Empfang bestätigen' }: { fields: Record<string, string>; label?: string }) {
  const fetcher = useFetcher();
  const key = JSON.stringify(fields);
  useEffect(() => {
    fetcher.submit({ intent: OPENED_INTENT, ...fields }, { method: 'post' });
    // Once per document shown, which `key` names.
  }, [key]);
  return (
    <noscript>
      <Form method="post" className="opening-receipt">
        <input type="hidden" name="intent" value={OPENED_INTENT} />
        {Object.entries(fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <button type="submit" className="button">
          {label}
        </button>
      </Form>
    </noscript>
  );
}
