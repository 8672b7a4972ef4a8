/**
 * The capa-portal doctor: `capa-doctor <dir> [--json]` checks a fleet (fleet.yaml and what it names) without
 * a Backstage backend.
 *
 * @packageDocumentation
 */

export { runDoctor, renderTable, DOCTOR_USAGE } from './runDoctor';
export type { DoctorIO } from './runDoctor';
