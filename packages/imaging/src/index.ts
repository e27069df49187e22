// Image encoding and resizing (sharp adapter).
export * from './image-processor';
export * from './crop-geometry';
export * from './imaging.config';
