export { FleetTrustMap, FleetTrustMapView } from './FleetTrustMap';
