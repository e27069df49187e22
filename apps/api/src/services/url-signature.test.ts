import { createHmac } from 'node:crypto';
import { signQuery, UrlSignatureVerifier } from './url-signature';
import { canonicalJson, contentImageId } from './content-id';
import { isImageId } from '@pixelfarm/schemas';

describe('signed URL tokens', () => {
  it('matches the published example vector of the hosted API', () => {
    // From the hosted API's documentation of signed URLs (query, key → token).
    expect(signQuery('html=%3Cdiv%3EHello%3C%2Fdiv%3E', 'your-api-key-here')).toBe(
      'ac5553c5a9031e09f4580101080045e7e4cbd1734aa1b53a94f1006c3496ca21',
    );
  });

  it('signs the raw query string exactly as sent', () => {
    const query = 'html=%3Cp%3Ehi%3C%2Fp%3E&css=p%7Bcolor%3Ared%7D';
    expect(signQuery(query, 'k-12345678')).toBe(createHmac('sha256', 'k-12345678').update(query).digest('hex'));
    expect(signQuery(query, 'k-12345678')).not.toBe(signQuery(query.replace('%3A', ':'), 'k-12345678'));
  });

  const verifier = new UrlSignatureVerifier([
    { id: 'alice', key: 'alice-secret' },
    { id: 'bob', key: 'bob-secret-key' },
  ]);

  it('verifies a token for its API id only', () => {
    const token = signQuery('html=x', 'alice-secret');
    expect(verifier.verifyFor('alice', 'html=x', token)).toBe('alice');
    expect(verifier.verifyFor('bob', 'html=x', token)).toBeUndefined();
    expect(verifier.verifyFor('nobody', 'html=x', token)).toBeUndefined();
    expect(verifier.verifyFor('alice', 'html=y', token)).toBeUndefined();
    expect(verifier.verifyFor('alice', 'html=x', token.toUpperCase())).toBe('alice');
    for (const bad of ['', 'abc', `${token}00`, token.slice(0, 63) + 'g', token.replace(/^./, (c) => (c === '0' ? '1' : '0'))]) {
      expect(verifier.verifyFor('alice', 'html=x', bad)).toBeUndefined();
    }
  });

  it('finds the signer of a templated URL among all keys', () => {
    expect(verifier.signers('title=%22A%22', signQuery('title=%22A%22', 'bob-secret-key'))).toEqual(['bob']);
    expect(verifier.signers('title=%22A%22', signQuery('title=%22A%22', 'mallory'))).toEqual([]);
  });
});

describe('content ids', () => {
  it('are stable UUIDs per content, sensitive to every part', () => {
    const a = contentImageId('alice', canonicalJson({ html: 'x', css: 'y' }));
    expect(isImageId(a)).toBe(true);
    expect(a[14]).toBe('8');
    expect(contentImageId('alice', canonicalJson({ css: 'y', html: 'x' }))).toBe(a);
    expect(contentImageId('bob', canonicalJson({ html: 'x', css: 'y' }))).not.toBe(a);
    expect(contentImageId('alice', canonicalJson({ html: 'x', css: 'y', device_scale: 1 }))).not.toBe(a);
  });

  it('canonical JSON sorts nested keys and drops undefined', () => {
    expect(canonicalJson({ b: { d: 1, c: [2, { f: 1, e: 0 }] }, a: undefined, z: null })).toBe('{"b":{"c":[2,{"e":0,"f":1}],"d":1},"z":null}');
  });
});
