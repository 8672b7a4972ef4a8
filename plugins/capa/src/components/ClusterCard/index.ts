export {
  BrokenReason,
  ClusterCard,
  ClusterSummaryView,
  chainSummary,
} from './ClusterCard';
export { ConditionList } from './ConditionList';
export { CapaConditionsView } from './CapaConditionsView';
