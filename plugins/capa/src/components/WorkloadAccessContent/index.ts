export { WorkloadAccessContent } from './WorkloadAccessContent';
