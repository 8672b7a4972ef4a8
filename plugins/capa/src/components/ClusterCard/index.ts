export { ClusterCard, ClusterSummaryView, chainSummary } from './ClusterCard';
export { ConditionList } from './ConditionList';
