// The directory the create path and the writers use: what capture accepts and refuses, what open
// gives (a kept client per destination version, none for a disabled or deleted one), and
// destinations turned off. No request reaches a store here: clients are only built.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ValidationError } from '@pixelfarm/errors';
import { FsDriver } from '@pixelfarm/storage';
import { NetworkGuard } from '@pixelfarm/egress';
import { DestinationError } from './destination';
import { DestinationEgress } from './destination-egress';
import { DestinationsOffError, StoredDestinationDirectory } from './destination-directory';
import { DestinationStore, type DestinationRecord } from './destination-store';
import { newDestinationId } from './destination-id';
import { SecretBox } from './secret-box';

describe('StoredDestinationDirectory', () => {
  const key = randomBytes(32).toString('base64');
  // DNS of this test: the store's name is public, anything else does not resolve (no lookup leaves the process).
  const egress = new DestinationEgress(new NetworkGuard([], async (host) => (host === 's3.example.com' ? ['93.184.215.14'] : [])));
  const directoryWith = (keys: string[]) =>
    new StoredDestinationDirectory({ store, box: keys.length ? new SecretBox(keys) : null, egress, attempts: 2, timeoutMs: 1000 });
  let dir: string;
  let storage: FsDriver;
  let store: DestinationStore;
  let directory: StoredDestinationDirectory;

  const save = async (over: Partial<DestinationRecord> = {}): Promise<DestinationRecord> => {
    const id = over.id ?? newDestinationId();
    const account = over.account ?? 'acme';
    const record: DestinationRecord = {
      id,
      account,
      name: 'Renders',
      provider: 'other_s3_compatible',
      role_arn: null,
      cloudflare_account_id: null,
      cloudflare_jurisdiction: null,
      last_tested_at: null,
      last_test_succeeded: null,
      last_test_error: null,
      endpoint: 'https://s3.example.com',
      region: 'us-east-1',
      force_path_style: true,
      bucket: 'renders-bucket',
      prefix: 'renders',
      access_key_id: 'AKIAEXAMPLE',
      keep_copy: false,
      enabled: true,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      sealed_secret: new SecretBox([key]).seal('s3cr3t', account, id),
      ...over,
    };
    await store.save(record);
    return record;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'destinations-'));
    storage = new FsDriver(dir);
    store = new DestinationStore(storage);
    directory = directoryWith([key]);
  });
  afterEach(async () => {
    await directory.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('captures an enabled destination of the account as the reference an image records', async () => {
    const record = await save();
    expect(await directory.capture('acme', record.id)).toEqual({ id: record.id, keep_copy: false });
  });

  it('refuses with 400 naming storage_destination_id an unknown, disabled or foreign id', async () => {
    const disabled = await save({ enabled: false });
    const foreign = await save({ account: 'other' });
    for (const id of [newDestinationId(), disabled.id, foreign.id, 'not-an-id', '../../etc']) {
      const err = await directory.capture('acme', id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toBe(`storage_destination_id ${JSON.stringify(id)} is not an enabled storage destination of this account`);
    }
  });

  it('opens a client keyed under the prefix, keeps it while the destination is unchanged, and replaces it after an edit', async () => {
    const record = await save();
    const target = await directory.open('acme', record.id);
    expect(target).toMatchObject({ id: record.id, bucket: 'renders-bucket' });
    expect(target.key('img.png')).toBe('renders/img.png');
    expect(await directory.open('acme', record.id)).toBe(target);
    await save({ ...record, prefix: '', updated_at: '2026-01-02T00:00:00.000Z' });
    const edited = await directory.open('acme', record.id);
    expect(edited).not.toBe(target);
    expect(edited.key('img.png')).toBe('img.png');
  });

  it('refuses to open a destination disabled or deleted since, or another account’s', async () => {
    const record = await save();
    await directory.open('acme', record.id);
    await expect(directory.open('other', record.id)).rejects.toThrow(new DestinationError(`Storage destination ${record.id} was deleted`));
    await save({ ...record, enabled: false, updated_at: '2026-01-02T00:00:00.000Z' });
    await expect(directory.open('acme', record.id)).rejects.toThrow(new DestinationError(`Storage destination ${record.id} was disabled`));
    await store.delete('acme', record.id);
    await expect(directory.open('acme', record.id)).rejects.toThrow(`Storage destination ${record.id} was deleted`);
  });

  it('cannot open a destination whose key left DESTINATIONS_KEY, and says what to do', async () => {
    const record = await save();
    const rotated = directoryWith([randomBytes(32).toString('base64')]);
    try {
      await expect(rotated.open('acme', record.id)).rejects.toThrow(/^Storage destination sd-.*: its secret cannot be opened \(the secret is sealed with a key DESTINATIONS_KEY does not hold \(key id [0-9a-f]{12}\)\); save its secret_access_key again$/);
    } finally {
      await rotated.close();
    }
  });

  it('refuses an endpoint the egress policy refuses, before building a client', async () => {
    const record = await save({ endpoint: 'https://10.0.0.1' });
    await expect(directory.open('acme', record.id)).rejects.toThrow(/the endpoint host 10\.0\.0\.1 is refused by the egress policy/);
    const plain = await save({ endpoint: 'http://s3.example.com' });
    await expect(directory.open('acme', plain.id)).rejects.toThrow('endpoint must use https (http is allowed only for a host URL_ALLOWLIST opens)');
  });

  it('with destinations off: capture is a 403, open a DestinationError', async () => {
    const record = await save();
    const off = directoryWith([]);
    expect(off.enabled).toBe(false);
    await expect(off.capture('acme', record.id)).rejects.toThrow(DestinationsOffError);
    await expect(off.capture('acme', record.id)).rejects.toMatchObject({ status: 403, message: 'Storage destinations are off on this server: its operator has not set DESTINATIONS_KEY' });
    await expect(off.open('acme', record.id)).rejects.toThrow(new DestinationError('Storage destinations are off on this server (DESTINATIONS_KEY is unset)'));
    await off.close();
  });

  it('closes once, and opens nothing after', async () => {
    const record = await save();
    await directory.open('acme', record.id);
    const closing = directory.close();
    expect(directory.close()).toBe(closing);
    await closing;
    await expect(directory.open('acme', record.id)).rejects.toThrow('The destination directory is closed');
  });
});
