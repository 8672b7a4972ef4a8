export * from './VerdictChip';
export * from './CapaErrorPanel';
export * from './CheckList';
export * from './AccountTrustCard';
export * from './ClusterCard';
export * from './IdentityChainCard';
export * from './TrustContent';
export * from './CapaOverviewPage';
