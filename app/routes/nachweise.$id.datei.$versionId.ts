import type { LoaderFunctionArgs } from '@remix-run/node';
import { parseId } from '../../domain/params';
import { openArchiveVersion } from '../../server/archive';
import { notFound, requireUserWithPermission } from '../../server/permissions';

/** One stored version, decrypted and checked against its SHA-256, as a download. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:archive:own');
  const id = parseId(params.id);
  const versionId = parseId(params.versionId);
  const file = id && versionId ? await openArchiveVersion(user, id, versionId) : null;
  if (!file) throw notFound();
  return new Response(new Uint8Array(file.content), {
    headers: {
      'Content-Type': file.contentType,
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      'X-Content-SHA256': file.sha256,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
}
