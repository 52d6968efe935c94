import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { requireUser } from '../../server/auth';
import { requireSameOrigin } from '../../server/request';
import { db } from '../../server/db';
import type { NotificationTopic } from '../../domain/notifications';
import type { Role } from '../../domain/roles';
import { channelsFor } from '../../server/mail';
import { config } from '../../server/config';

export const meta: MetaFunction = () => [{ title: 'Benachrichtigungen einstellen · Klarmeter' }];

const TOPICS: Record<NotificationTopic, { label: string; description: Partial<Record<Role, string>> }> = {
  ticket: {
    label: 'Anliegen und Vorgänge',
    description: {
      tenant: 'Eingangsbestätigung, Antworten und Rückfragen der Hausverwaltung, Lösung Ihres Anliegens.',
      manager: 'Neue Anliegen, Zuweisungen, Antworten der Mieter, Statuswechsel.',
    },
  },
  'ticket-escalation': {
    label: 'SLA-Warnungen',
    description: { manager: 'Eine Frist ist zu 75 % verbraucht, oder sie ist überschritten.' },
  },
  appointment: {
    label: 'Termine',
    description: {
      tenant: 'Bestätigung, neue Vorschläge und die Erinnerung am Tag vor dem Termin.',
      technician: 'Neue Terminwünsche, Zusagen und Absagen der Mieter, Erinnerungen.',
      manager: 'Unbestätigte Terminanfragen und nicht angetroffene Mieter.',
    },
  },
  device: {
    label: 'Gerätefristen',
    description: {
      manager: 'Erinnerungen vor Eich-, Austausch- und Wartungsfristen und die Meldung, wenn eine Frist abgelaufen ist.',
      owner: 'Die Meldung, wenn die Frist eines Geräts in Ihrer Liegenschaft abgelaufen ist.',
    },
  },
};

/** The topics that concern a role. */
function topicsFor(role: Role) {
  return (Object.keys(TOPICS) as Array<keyof typeof TOPICS>).filter((topic) => TOPICS[topic].description[role] !== undefined);
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const topics = topicsFor(user.role);
  const channels = await Promise.all(
    topics.map(async (topic) => ({ topic, channels: (await channelsFor(db(), [user.id], topic)).get(user.id)! })),
  );
  return {
    topics: channels.map(({ topic, channels }) => ({
      topic,
      label: TOPICS[topic].label,
      description: TOPICS[topic].description[user.role]!,
      ...channels,
    })),
    email: user.email,
    mailSink: !config().SMTP_URL && user.role === 'manager',
    settingsPages: SETTINGS_NAVIGATION[user.role],
  };
}

export async function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUser(request);
  const form = await request.formData();
  await db().models.NotificationPreference.bulkCreate(
    topicsFor(user.role).map((topic) => ({
      userId: user.id,
      topic,
      inPortal: form.has(`${topic}:portal`),
      email: form.has(`${topic}:email`),
    })),
    { updateOnDuplicate: ['inPortal', 'email', 'updatedAt'] },
  );
  return { ok: true, message: 'Ihre Einstellungen sind gespeichert.' };
}

export default function NotificationSettings() {
  const { topics, email, mailSink, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/benachrichtigungen">← Benachrichtigungen</Link>}
        title="Benachrichtigungen einstellen"
        description={`Wählen Sie, worüber Sie im Portal und per E-Mail an ${email} informiert werden.`}
      />
      <SettingsNav items={settingsPages} />
      <ActionMessage data={result} />
      {topics.length === 0 ? (
        <EmptyState>Für Ihre Rolle gibt es keine einstellbaren Benachrichtigungen.</EmptyState>
      ) : (
        <Panel id="preferences" title="Kanäle je Thema">
          <Form method="post" className="form">
            <table className="table preferences">
              <thead>
                <tr>
                  <th scope="col">Thema</th>
                  <th scope="col">Im Portal</th>
                  <th scope="col">Per E-Mail</th>
                </tr>
              </thead>
              <tbody>
                {topics.map((t) => (
                  <tr key={t.topic}>
                    <th scope="row">
                      <span className="cell-main">{t.label}</span>
                      <span className="cell-sub">{t.description}</span>
                    </th>
                    <td>
                      <input type="checkbox" name={`${t.topic}:portal`} defaultChecked={t.inPortal} aria-label={`${t.label} im Portal`} />
                    </td>
                    <td>
                      <input type="checkbox" name={`${t.topic}:email`} defaultChecked={t.email} aria-label={`${t.label} per E-Mail`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted">
              Der Verlauf jedes Vorgangs bleibt vollständig im Portal, auch wenn Sie eine Benachrichtigung abschalten.
            </p>
            <div>
              <button type="submit" className="button button--primary" disabled={busy}>
                Speichern
              </button>
            </div>
          </Form>
        </Panel>
      )}
      {mailSink ? (
        <p className="muted">
          Entwicklung: Ohne SMTP_URL werden E-Mails nicht versandt, sondern <Link to="/entwicklung/mails">im Mail-Ausgang</Link> gesammelt.
        </p>
      ) : null}
    </>
  );
}
