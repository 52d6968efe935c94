import { describe, expect, test } from 'vitest';
import { archiveFileName, checkUpload, detectFileType, retentionEndMs, retentionEnded, retentionUntil } from './archive';

describe('retention', () => {
  test('counts from the end of the document year', () => {
    expect(retentionUntil('statement', '2025-12-31')).toBe('2035-12-31');
    expect(retentionUntil('legionella-report', '2023-06-14')).toBe('2033-12-31');
    expect(() => retentionUntil('other', '14.06.2023')).toThrow(/documentDate/);
  });

  test('ends the day after the last retention day', () => {
    expect(retentionEnded('2035-12-31', '2035-12-31')).toBe(false);
    expect(retentionEnded('2035-12-31', '2036-01-01')).toBe(true);
    expect(new Date(retentionEndMs('2035-12-31')).toISOString()).toBe('2036-01-01T00:00:00.000Z');
  });
});

describe('uploads', () => {
  test('are typed by their first bytes, not their name', () => {
    expect(detectFileType(Buffer.from('%PDF-1.7\n'))).toEqual({ contentType: 'application/pdf', extension: 'pdf' });
    expect(detectFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ contentType: 'image/jpeg', extension: 'jpg' });
    expect(detectFileType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toEqual({
      contentType: 'image/png',
      extension: 'png',
    });
    expect(detectFileType(Buffer.from('<html>%PDF-'))).toBeNull();
    expect(checkUpload(new Uint8Array())).toMatchObject({ ok: false, field: 'Datei' });
  });

  test('keep a safe file name with the detected extension', () => {
    expect(archiveFileName('C:\\scans\\Prüfung 2026 <1>.exe', { contentType: 'application/pdf', extension: 'pdf' })).toBe(
      'Prüfung 2026 _1_.pdf',
    );
    expect(archiveFileName('../../', { contentType: 'image/png', extension: 'png' })).toBe('nachweis.png');
  });
});
