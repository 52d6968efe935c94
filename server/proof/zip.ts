// A minimal ZIP writer (PKWARE APPNOTE 6.3, no ZIP64): each file deflated when that makes it
// smaller, else stored, UTF-8 names, fixed timestamps so the same bundle gives the same bytes.
// Bundles are a handful of files, far below the 4 GiB and 65,535-entry limits it checks for.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** `/`-separated path; a trailing `/` makes a directory entry. */
  name: string;
  bytes?: Uint8Array;
}

const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const FLAG_UTF8 = 0x0800;
const VERSION_NEEDED = 20;
const VERSION_MADE_BY_UNIX = (3 << 8) | 20;
const MAX_32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;

function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

interface SharedFields {
  method: number;
  time: number;
  date: number;
  crc: number;
  compressedSize: number;
  size: number;
  nameLength: number;
}

function writeSharedFields(buffer: Buffer, at: number, fields: SharedFields): void {
  buffer.writeUInt16LE(VERSION_NEEDED, at);
  buffer.writeUInt16LE(FLAG_UTF8, at + 2);
  buffer.writeUInt16LE(fields.method, at + 4);
  buffer.writeUInt16LE(fields.time, at + 6);
  buffer.writeUInt16LE(fields.date, at + 8);
  buffer.writeUInt32LE(fields.crc, at + 10);
  buffer.writeUInt32LE(fields.compressedSize, at + 14);
  buffer.writeUInt32LE(fields.size, at + 18);
  buffer.writeUInt16LE(fields.nameLength, at + 22);
}

/** The ZIP archive of `entries`, in their order, all dated `modified` (UTC). */
export function zip(entries: readonly ZipEntry[], modified: Date): Buffer {
  if (entries.length > MAX_ENTRIES) throw new Error(`zip: ${entries.length} entries, at most ${MAX_ENTRIES}`);
  const { time, date } = dosDateTime(modified);
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const isDirectory = entry.name.endsWith('/');
    const data = Buffer.from(entry.bytes ?? new Uint8Array(0));
    if (isDirectory && data.length > 0) throw new Error(`zip: directory entry ${entry.name} with content`);
    if (name.length === 0 || name.length > 0xffff) throw new Error(`zip: bad entry name ${JSON.stringify(entry.name)}`);
    const deflated = data.length > 0 ? deflateRawSync(data) : data;
    const method = deflated.length < data.length ? METHOD_DEFLATED : METHOD_STORED;
    const body = method === METHOD_DEFLATED ? deflated : data;
    const crc = crc32(data);
    if (offset > MAX_32 || data.length > MAX_32 || offset + 30 + name.length + body.length > MAX_32)
      throw new Error('zip: archive larger than 4 GiB');

    // Local header and central directory entry share the run from "version needed" to "name length".
    const shared = { method, time, date, crc, compressedSize: body.length, size: data.length, nameLength: name.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeSharedFields(local, 4, shared);
    // extra field length: 0

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
    writeSharedFields(header, 6, shared);
    // extra field length, comment length, disk number start, internal attributes: all 0
    // External attributes: Unix mode in the high 16 bits (rw-r--r-- files, rwxr-xr-x directories),
    // plus the MS-DOS directory bit.
    header.writeUInt32LE(isDirectory ? ((0o40755 << 16) | 0x10) >>> 0 : (0o100644 << 16) >>> 0, 38);
    header.writeUInt32LE(offset, 42);

    chunks.push(local, name, body);
    central.push(header, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = central.reduce((sum, chunk) => sum + chunk.length, 0);
  if (offset + centralSize > MAX_32) throw new Error('zip: archive larger than 4 GiB');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, ...central, end]);
}
