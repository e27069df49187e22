export * from './destination';
export * from './destination-id';
export * from './destination-store';
export * from './secret-box';
export * from './destination-egress';
export * from './s3-destination-target';
export * from './connection-test';
export * from './destination-directory';
