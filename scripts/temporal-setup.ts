// `npm run temporal:setup`: registers the namespace (unless it exists) and Klarmeter's custom search
// attributes on an external Temporal cluster (the local dev server gets them at start). Existing
// attributes are left alone.
import { Connection } from '@temporalio/client';
import { ensureNamespace } from './lib/temporal-server';
import { temporalSettings } from '../server/temporal';

const { address, namespace } = temporalSettings();

const connection = await Connection.connect({ address });
try {
  const { registered, attributesAdded } = await ensureNamespace(connection, namespace);
  console.log(
    `Search attributes ready on ${address}/${namespace} (${registered ? 'namespace registered, ' : ''}${attributesAdded} added).`,
  );
} finally {
  await connection.close();
}
