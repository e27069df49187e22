// Request schemas and ids shared by the API (validation) and the worker (render input); templates too.
export * from './create-image.schema';
export * from './request-headers.schema';
export * from './get-image.schema';
export * from './variant-query';
export * from './crop-query';
export * from './image-id';
export * from './template-id';
export * from './template.schema';
export * from './batch.schema';
export * from './list-images.schema';
export * from './batch-id';
export * from './batch-status.schema';
export * from './create-image.docs';
export * from './dashboard-query.schema';
export * from './signed-render-options';
export * from './proxy-id';
