import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { EmptyState, PageHeader } from '~/components/page-header';
import { requireUser } from '../../server/auth';
import { formatDateTime } from '../../domain/format';
import { notFound } from '../../server/permissions';
import { sinkMails } from '../../server/mail';
import { config } from '../../server/config';

export const meta: MetaFunction = () => [{ title: 'Mail-Ausgang (Entwicklung) · Klarmeter' }];

const LIMIT = 50;

/**
 * The development mail sink: without SMTP_URL nothing leaves the machine and the messages are only
 * kept in `mails`; managers can read those addressed to their organisation here. With SMTP the
 * page does not exist.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (config().SMTP_URL || user.role !== 'manager') throw notFound();
  const mails = await sinkMails(user.organisationId, LIMIT);
  return { mails: mails.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() })) };
}

export default function MailSink() {
  const { mails } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Mail-Ausgang (Entwicklung)"
        description={`Ohne SMTP_URL werden E-Mails hier gesammelt statt versandt. Die letzten ${LIMIT} an Ihre Organisation.`}
      />
      {mails.length === 0 ? (
        <EmptyState>Noch keine E-Mails.</EmptyState>
      ) : (
        <ul className="mail-sink">
          {mails.map((mail) => (
            <li key={mail.id} className="mail-sink__item">
              <details>
                <summary>
                  <span className="mail-sink__subject">{mail.subject}</span>
                  <span className="mail-sink__meta">
                    an {mail.toAddress} · {formatDateTime(mail.createdAt)}
                  </span>
                </summary>
                {mail.htmlBody ? (
                  // A sandboxed frame without scripts: the HTML part as a mail client would show it.
                  <iframe title={`HTML-Ansicht: ${mail.subject}`} className="mail-sink__html" sandbox="" srcDoc={mail.htmlBody} />
                ) : null}
                <pre className="mail-sink__text">{mail.textBody}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
