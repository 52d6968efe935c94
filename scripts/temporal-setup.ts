// `npm run temporal:setup`: registers Klarmeter's custom search attributes on an external Temporal
// cluster (the local dev server gets them at start). Existing attributes are left alone.
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../workflows/shared/search-attributes';
import { temporalSettings } from '../server/temporal';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const { address, namespace } = temporalSettings();

const connection = await Connection.connect({ address });
try {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTE_DECLARATIONS.filter(({ name }) => !(name in (existing.customAttributes ?? {})));
  if (missing.length) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map(({ name, type }) => [
          name,
          type === 'Datetime' ? IndexedValueType.INDEXED_VALUE_TYPE_DATETIME : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
  }
  console.log(`Search attributes ready on ${address}/${namespace} (${missing.length} added).`);
} finally {
  await connection.close();
}
