// The egress policy: which addresses user-given URLs may reach (pages, callbacks, storage
// destinations), and the guard that resolves a host once and judges every address.
export * from './address-policy';
export * from './network-guard';
export * from './upstream-proxy';
export * from './egress.config';
