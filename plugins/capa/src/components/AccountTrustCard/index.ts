export {
  AccountTrustCard,
  AccountTrustSummary,
  accountFindings,
  clusterLabel,
  identityLabel,
} from './AccountTrustCard';
