export { CapaEntityCard } from './CapaEntityCard';
