// Accounts' proxies in our own object storage: `accounts/<account>/proxies/<id>.json` holds the
// settings and the sealed password (never the plain one).
import { AccountRecords, type StorageDriver } from '@pixelfarm/storage';
import { isAccountProxyId } from '@pixelfarm/schemas';
import type { AccountProxyRecord } from './account-proxy';

export class ProxyStore extends AccountRecords<AccountProxyRecord> {
  constructor(storage: StorageDriver) {
    super(storage, 'proxies', isAccountProxyId);
  }
}
