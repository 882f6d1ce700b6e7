import { describe, expect, it } from 'vitest';
import { addNumbers, canonicalNumber, compareNumbers, encodeNumberKey } from '../../../src/services/dynamodb/numbers.js';

describe('DynamoDB numbers', () => {
  it.each([
    ['1.50', '1.5'], ['0001', '1'], ['1e3', '1000'], ['-0.0', '0'], ['+7', '7'], ['.5', '0.5'], ['1.23E-2', '0.0123'], ['-12.300', '-12.3'],
    ['12345678901234567890123456789012345678', '12345678901234567890123456789012345678'], ['9.9E125', '99' + '0'.repeat(124)], ['1E-130', '0.' + '0'.repeat(129) + '1'],
  ])('canonical form of %s is %s', (input, expected) => {
    expect(canonicalNumber(input)).toBe(expected);
  });

  it.each([
    ['abc', 'cannot be converted'], ['1.2.3', 'cannot be converted'], ['', 'cannot be converted'], ['1e', 'cannot be converted'],
    ['123456789012345678901234567890123456789', 'more than 38 significant digits'], ['1E126', 'Number overflow'], ['1E-131', 'Number underflow'],
  ])('rejects %s', (input, message) => {
    expect(() => canonicalNumber(input)).toThrow(message);
  });

  it.each([
    ['1', '2', -1], ['10', '9', 1], ['-1', '-2', 1], ['0.001', '-1000', 1], ['1.0', '1', 0], ['-0.5', '0', -1], ['1e2', '100', 0], ['99999999999999999999999999999999999999', '1E38', -1],
  ])('compares %s with %s numerically', (a, b, sign) => {
    expect(Math.sign(compareNumbers(a, b))).toBe(sign);
  });

  it('adds and subtracts exactly, beyond double precision', () => {
    expect(addNumbers('0.1', '0.2')).toBe('0.3');
    expect(addNumbers('12345678901234567890123456789012345678', '1')).toBe('12345678901234567890123456789012345679');
    expect(addNumbers('5', '7', true)).toBe('-2');
    expect(addNumbers('-1.5', '1.5')).toBe('0');
    expect(() => addNumbers('1E30', '1E-30')).toThrow('38 significant digits');
  });

  it('encodes numbers so that byte order is numeric order', () => {
    const values = ['-1E125', '-100', '-12.3', '-12.25', '-1', '-0.001', '0', '1E-130', '0.5', '1', '1.5', '9', '10', '123.4', '1E125'];
    const shuffled = [...values].sort(() => 0.5 - Math.random());
    const sorted = shuffled.sort((a, b) => Buffer.compare(encodeNumberKey(a), encodeNumberKey(b)));
    expect(sorted).toEqual(values);
    expect(encodeNumberKey('1.50').equals(encodeNumberKey('1.5'))).toBe(true);
  });
});
