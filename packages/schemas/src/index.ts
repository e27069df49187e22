// Request schemas and ids shared by the API (validation) and the worker (render input); templates too.
export * from './create-image.schema';
export * from './get-image.schema';
export * from './image-id';
export * from './template-id';
export * from './template.schema';
export * from './batch.schema';
export * from './list-images.schema';
export * from './create-image.docs';
