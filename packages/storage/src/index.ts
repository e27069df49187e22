// Object storage: one driver interface (fs, s3) and the layout of an image's objects.
export * from './storage-driver';
export * from './fs.driver';
export * from './s3.driver';
export * from './create-storage';
export * from './image-store';
export * from './instrumented.driver';
