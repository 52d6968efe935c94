// TOTP against the RFC 6238 test vectors, the Key URI, and the QR code read back by a decoder.
import { describe, expect, test } from 'vitest';
import decodeQR from '@paulmillr/qr/decode.js';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, qrSvg, totpAt } from './totp';
import encodeQR from '@paulmillr/qr';

// RFC 6238 Appendix B: SHA-1 with the ASCII key "12345678901234567890", 8 digits.
const RFC_KEY = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: Array<[seconds: number, code: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('RFC 6238', () => {
  test.each(RFC_VECTORS)('T=%i gives %s', (seconds, code) => {
    expect(totpAt(base32Encode(RFC_KEY), seconds * 1000, 8)).toBe(code);
    expect(hotp(RFC_KEY, Math.floor(seconds / 30), 8)).toBe(code);
  });

  test('base32 round trip (RFC 4648)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
  });

  test('a code is accepted in the step before and after, not two steps away', () => {
    const secret = base32Encode(RFC_KEY);
    const now = 1_700_000_000_000;
    expect(matchTotp(secret, totpAt(secret, now - 30_000), now)).toBe(Math.floor(now / 30_000) - 1);
    expect(matchTotp(secret, totpAt(secret, now + 30_000), now)).toBe(Math.floor(now / 30_000) + 1);
    expect(matchTotp(secret, totpAt(secret, now - 61_000), now)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now)).toBeNull();
  });
});

test('the Key URI names issuer and account and carries the parameters apps read', () => {
  const uri = otpauthUri({ secret: 'JBSWY3DPEHPK3PXP', account: 'technik@klarmeter.de', issuer: 'Klarmeter' });
  expect(uri).toBe(
    'otpauth://totp/Klarmeter:technik%40klarmeter.de?secret=JBSWY3DPEHPK3PXP&issuer=Klarmeter&algorithm=SHA1&digits=6&period=30',
  );
});

test('the SVG QR code draws the same modules the encoder computed, and a decoder reads the URI back', () => {
  const uri = otpauthUri({ secret: 'JBSWY3DPEHPK3PXP', account: 'technik@klarmeter.de', issuer: 'Klarmeter' });
  const svg = qrSvg(uri, 'QR-Code');
  expect(svg).toMatch(/^<svg [^>]*role="img"/);
  const size = Number(/viewBox="0 0 (\d+) /.exec(svg)?.[1]);
  // Rasterise the path (4 px per module) and decode it.
  const dark = new Set([...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
  expect(dark.size).toBe(encodeQR(uri, 'raw', { ecc: 'medium', border: 0 }).flat().filter(Boolean).length);
  const scale = 4;
  const width = size * scale;
  const data = new Uint8Array(width * width * 4).fill(255);
  for (let y = 0; y < width; y++)
    for (let x = 0; x < width; x++)
      if (dark.has(`${Math.floor(x / scale)},${Math.floor(y / scale)}`)) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
  expect(decodeQR({ width, height: width, data })).toBe(uri);
});
