// The organisation's lead time for device exchanges with tenants: how many days before a calibration
// or replacement deadline the unit's tenant is offered the technician's slots. Managers only; a plain
// form (works without JS).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { WholeNumberField } from '~/components/whole-number-field';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import {
  EXCHANGE_ANSWER_WITHIN_DAYS,
  EXCHANGE_REMIND_AFTER_DAYS,
  MAX_EXCHANGE_LEAD_DAYS,
  MIN_EXCHANGE_LEAD_DAYS,
  parseExchangeLeadDays,
} from '../../domain/contracts/device-exchange';
import { exchangeLeadDays, saveExchangeLeadDays } from '../../server/device-exchange-settings';
import { requireUserWithPermission } from '../../server/permissions';
import { clientIp, requireSameOrigin, type RequestContext } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Einstellungen · Gerätetausch · Klarmeter' }];

const PERMISSION = 'update:device:any';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, PERMISSION);
  return { leadDays: await exchangeLeadDays(user.organisationId), settingsPages: SETTINGS_NAVIGATION[user.role] };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, PERMISSION);
  const submitted = (await request.formData()).get('leadDays');
  const days = parseExchangeLeadDays(submitted);
  // The entered value comes back so the form shows what was refused (also without JavaScript).
  if (!days.ok) return { ok: false, message: days.error, value: typeof submitted === 'string' ? submitted : '' };
  const saved = await saveExchangeLeadDays(user, days.value, clientIp(context as RequestContext));
  // Large organisations: the device workflows are told in the background (outbox), not during the request.
  const told = saved.devices === 0 ? '' : ` Die Geräte (${saved.devices}) planen ihre Terminangebote neu.`;
  return { ok: true, message: `Die Einstellung ist gespeichert.${told}` };
}

export default function DeviceExchangeSettings() {
  const { leadDays, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const refused = result && !result.ok && typeof result.value === 'string' ? { value: result.value, message: result.message } : null;
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <PageHeader
        title="Einstellungen · Gerätetausch"
        description="Wann Mieter einen Termin für den Tausch eines Zählers oder Geräts angeboten bekommen."
      />
      <SettingsNav items={settingsPages} />
      <ActionMessage data={result} />
      <Form method="post" className="form">
        <Panel id="lead-time" title="Vorlauf für den Gerätetausch">
          <WholeNumberField
            name="leadDays"
            label="Tage vor Ablauf der Eichfrist oder dem Austauschtermin"
            min={MIN_EXCHANGE_LEAD_DAYS}
            max={MAX_EXCHANGE_LEAD_DAYS}
            stored={leadDays}
            refused={refused}
            hint={
              <>
                So viele Tage vorher bietet das Portal dem Mieter der Wohnung Termine des Technikers an (ohne Portalzugang per Brief). Ohne
                Antwort wird der Mieter nach {EXCHANGE_REMIND_AFTER_DAYS} Tagen erinnert, nach {EXCHANGE_ANSWER_WITHIN_DAYS} Tagen übernimmt
                die Verwaltung. Möglich sind {MIN_EXCHANGE_LEAD_DAYS} bis {MAX_EXCHANGE_LEAD_DAYS} Tage. Eine Änderung gilt sofort für alle
                Geräte: Rückt eine Frist dadurch in den Vorlauf, beginnt das Angebot gleich; bereits gemachte Angebote bleiben bestehen.
              </>
            }
          />
        </Panel>
        <div>
          <button type="submit" className="button button--primary" disabled={busy}>
            Speichern
          </button>
        </div>
      </Form>
    </>
  );
}
