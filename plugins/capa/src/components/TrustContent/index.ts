export { TrustContent, accountTrustView } from './TrustContent';
export type { CheckRow, TrustView } from './TrustContent';
