/** Reference twin of asm/cosine_schedule_f64.ts (JS Math.cos: fine in a test reference only). */
export function cosineScheduleF64(epoch: number, nEpochs: number): number {
  return 0.5 * (1 + Math.cos((Math.PI * epoch) / nEpochs));
}
