// Request schemas and ids shared by the API (validation) and the worker (render input).
export * from './create-image.schema';
export * from './get-image.schema';
export * from './image-id';
