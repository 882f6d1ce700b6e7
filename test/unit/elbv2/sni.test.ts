import { describe, expect, it } from 'vitest';
import { nameMatches } from '../../../src/services/elbv2/proxy/certificates.js';

describe('SNI certificate names', () => {
  it.each([
    ['api.example.com', 'api.example.com', true],
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['api.example.com', 'www.example.com', false],
  ])('%s serves %s: %s', (pattern, host, want) => expect(nameMatches(pattern, host)).toBe(want));
});
