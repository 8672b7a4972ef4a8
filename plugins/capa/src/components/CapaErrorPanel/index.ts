export { CapaErrorPanel, describeCapaError } from './CapaErrorPanel';
