export * from './segmentation.thresholds';
export * from './segmentation.types';
export * from './rfm';
export * from './loyalty-and-tier';
export * from './churn-risk';
export * from './purchase-summary';
export * from './customer-facts';
export * from './segment-customers';
