// Pieces the settings pages for API tokens and webhooks share: a secret shown once after it was
// created, and a list of checkboxes (scopes, event kinds).
import { Panel } from '~/components/page-header';

export function SecretShownOnce({ id, title, secret }: { id: string; title: string; secret: string | undefined }) {
  if (!secret) return null;
  return (
    <Panel id={id} title={title}>
      <p>
        <code className="token">{secret}</code>
      </p>
    </Panel>
  );
}

export function CheckboxChoices({
  legend,
  name,
  options,
}: {
  legend: string;
  name: string;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice">
          <input type="checkbox" name={name} value={option.value} />
          <span>{option.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
