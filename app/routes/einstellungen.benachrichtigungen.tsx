import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { requireUser } from '../../server/auth';
import { requireSameOrigin } from '../../server/request';
import { notificationTopicsFor } from '../../domain/notifications';
import { MAIL_RHYTHMS, MAIL_RHYTHM_LABELS } from '../../domain/contracts/mail-digest';
import { mailRhythmOf, notificationPreferences, saveMailRhythm, saveNotificationPreferences } from '../../server/notifications';
import { config } from '../../server/config';

export const meta: MetaFunction = () => [{ title: 'Benachrichtigungen einstellen · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return {
    topics: await notificationPreferences(user),
    rhythm: await mailRhythmOf(user),
    email: user.email,
    mailSink: !config().SMTP_URL && user.role === 'manager',
    settingsPages: SETTINGS_NAVIGATION[user.role],
  };
}

export async function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUser(request);
  const form = await request.formData();
  if (form.get('intent') === 'rhythm') {
    try {
      await saveMailRhythm(user, form.get('rhythm'));
    } catch (error) {
      if (error instanceof RangeError) return { ok: false, message: 'Bitte wählen Sie einen E-Mail-Rhythmus.' };
      throw error;
    }
    return { ok: true, message: 'Ihr E-Mail-Rhythmus ist gespeichert.' };
  }
  // Every topic of the role is in the form; an unticked box is absent from it.
  const choices = Object.fromEntries(
    notificationTopicsFor(user.role).map((topic) => [topic, { inPortal: form.has(`${topic}:portal`), email: form.has(`${topic}:email`) }]),
  );
  await saveNotificationPreferences(user, choices);
  return { ok: true, message: 'Ihre Einstellungen sind gespeichert.' };
}

export default function NotificationSettings() {
  const { topics, rhythm, email, mailSink, settingsPages } = useLoaderData<typeof loader>();
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
      {topics.length === 0 ? null : (
        <Panel id="rhythm" title="E-Mail-Rhythmus">
          <Form method="post" className="form">
            <input type="hidden" name="intent" value="rhythm" />
            <fieldset>
              <legend>Wie oft möchten Sie E-Mails zu Routinemeldungen erhalten?</legend>
              {MAIL_RHYTHMS.map((value) => (
                <label key={value} className="radio">
                  <input type="radio" name="rhythm" value={value} defaultChecked={rhythm === value} /> {MAIL_RHYTHM_LABELS[value]}
                </label>
              ))}
            </fieldset>
            <p className="muted">
              Die Zusammenfassung kommt um 7 Uhr. Dringendes (Eskalationen, überschrittene Fristen) erhalten Sie immer sofort; im Portal
              erscheint jede Benachrichtigung sofort.
            </p>
            <div>
              <button type="submit" className="button button--primary" disabled={busy}>
                Rhythmus speichern
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
