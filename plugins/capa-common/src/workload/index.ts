export * from './types';
export { parseWorkloadAccess, workloadClusterKey } from './parseWorkloadAccess';
export { evaluateWorkloadAccess } from './evaluateWorkloadAccess';
export type { WorkloadAccessInput } from './evaluateWorkloadAccess';
