export { OnboardingGapsSection } from './OnboardingGapsSection';
