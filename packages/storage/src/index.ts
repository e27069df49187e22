// Object storage: one driver interface (fs, s3), the layout of an image's objects and of what an account owns.
export * from './storage-driver';
export * from './fs.driver';
export * from './s3.driver';
export * from './create-storage';
export * from './image-store';
export * from './instrumented.driver';
export * from './account-index';
export * from './template-store';
export * from './s3-presigner';
export * from './batch-store';
export * from './remove-image';
export * from './account-records';
export * from './storage.config';
