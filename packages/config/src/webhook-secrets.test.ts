import { ConfigError } from '@pixelfarm/errors';
import { deriveWebhookSecret, loadConfig, parseWebhookSecrets, webhookSecretsOf } from '@pixelfarm/config';

const secret = (fill: number, bytes = 32) => `whsec_${Buffer.alloc(bytes, fill).toString('base64')}`;

describe('webhook secrets', () => {
  it('derives a whsec_ secret from an API key, one-way and stable', () => {
    expect(deriveWebhookSecret('tester-secret-key')).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(deriveWebhookSecret('tester-secret-key')).toBe(deriveWebhookSecret('tester-secret-key'));
    expect(deriveWebhookSecret('tester-secret-key')).not.toBe(deriveWebhookSecret('other-secret-key'));
  });

  it('reads WEBHOOK_SECRETS; an id listed twice signs with both, current first', () => {
    const c = loadConfig({ API_KEYS: 'a:aaaaaaaa,b:bbbbbbbb', WEBHOOK_SECRETS: ` a:${secret(1)}, a:${secret(2)} ` });
    expect(c.worker.callbacks.secrets).toEqual([
      { id: 'a', secret: secret(1) },
      { id: 'a', secret: secret(2) },
    ]);
    expect(c.worker.callbacks.legacySignature).toBe(true);
    expect(webhookSecretsOf('a', c.worker.callbacks.secrets, c.apiKeys)).toEqual([secret(1), secret(2)]);
    // Accounts not listed sign with the secret derived from their key; unknown ones have none.
    expect(webhookSecretsOf('b', c.worker.callbacks.secrets, c.apiKeys)).toEqual([deriveWebhookSecret('bbbbbbbb')]);
    expect(webhookSecretsOf('gone', c.worker.callbacks.secrets, c.apiKeys)).toEqual([]);
    expect(loadConfig({ CALLBACK_LEGACY_SIGNATURE: 'false' }).worker.callbacks.legacySignature).toBe(false);
  });

  it.each([
    ['a', 'entry 1 is not id:whsec_… (an API id, a colon, a secret)'],
    ['a:plain-text-secret', 'the secret of "a" must be whsec_ followed by base64'],
    [`a:${secret(1, 16)}`, 'the secret of "a" must hold 24 to 64 bytes, it holds 16'],
  ])('refuses WEBHOOK_SECRETS=%s, naming the problem without the secret', (value, problem) => {
    expect(() => loadConfig({ WEBHOOK_SECRETS: value })).toThrow(new ConfigError(`Invalid configuration: WEBHOOK_SECRETS: ${problem}`));
    expect(() => parseWebhookSecrets(value)).toThrow(problem);
  });
});
