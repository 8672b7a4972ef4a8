export { runDoctor, renderTable, DOCTOR_USAGE } from './runDoctor';
export type { DoctorIO } from './runDoctor';
