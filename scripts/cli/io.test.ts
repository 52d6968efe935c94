import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonInputError, MAX_JSON_DEPTH, parseJson } from './io';

function failure(text: string): JsonInputError {
  try {
    parseJson(text);
  } catch (error) {
    if (error instanceof JsonInputError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseJson', () => {
  it('parses what JSON.parse parses, for any JSON value within the depth limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 20 }), (value) => {
        const text = JSON.stringify(value, null, 1);
        expect(parseJson(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more, naming the limit`, () => {
    expect(parseJson(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBeDefined();
    expect(failure(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`).message).toBe(
      `nested deeper than the limit of ${MAX_JSON_DEPTH} levels (at character ${MAX_JSON_DEPTH + 1})`,
    );
    // Unclosed brackets too: the limit is checked before JSON.parse.
    expect(failure('['.repeat(1_000_000)).message).toMatch(/^nested deeper than the limit/);
  });

  it('names the path and the literal of a number beyond a double', () => {
    expect(failure('{"units":[{"id":"a"},{"id":"b","area":1e999}]}')).toMatchObject({
      field: 'units[1].area',
      problem: '1e999 is not a finite number (a double reaches only about 1.8e308)',
    });
    expect(failure('[{"calibratedYear": -2E+400}]').field).toBe('[0].calibratedYear');
    expect(failure(`{"x": ${'9'.repeat(400)}}`).field).toBe('x');
    expect(failure('{"a b": {"c\\"d": 1e309}}').field).toBe('["a b"]["c\\"d"]');
    expect(failure('1e999')).toMatchObject({ field: '' });
  });

  it('is not misled by brackets, commas and numbers inside strings', () => {
    const text = '{"s":"[[[,1e999,\\"]]","t":[1,"x\\\\",{"u":[2,3e999]}]}';
    expect(failure(text).field).toBe('t[2].u[1]');
    expect(parseJson('{"s":"1e999 [{"}')).toEqual({ s: '1e999 [{' });
  });

  it('reports syntax errors as not valid JSON', () => {
    expect(failure('{"period": ').message).toMatch(/^not valid JSON \(/);
  });
});
