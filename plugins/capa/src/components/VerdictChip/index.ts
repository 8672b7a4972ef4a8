export { VerdictChip, verdictInfo } from './VerdictChip';
export type { VerdictChipProps } from './VerdictChip';
export { CheckStatusLabel } from './CheckStatusLabel';
