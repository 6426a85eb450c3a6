/**
 * cosine_schedule_f64: learning-rate factor of a cosine schedule,
 *   factor = ½·(1 + cos(π·epoch/nEpochs)),  epoch 0 → 1, epoch nEpochs → 0
 * in    epoch (0-based), nEpochs (≥ 1): i32
 * Preconditions (glue): 0 ≤ epoch ≤ nEpochs, nEpochs ≥ 1.
 * Edges: nEpochs = 1 gives factor 1 at epoch 0.
 * Numerics: f64 with AssemblyScript's Math.cos, so the schedule does not depend on the
 * JavaScript engine; within 1e-15 of the reference.
 * Effects: none (pure); allocates nothing; no globals.
 * Twin: src/reference/cosine_schedule_f64.ts; test: test/kernels/cosine_schedule_f64.test.ts.
 */
export function cosine_schedule_f64(epoch: i32, nEpochs: i32): f64 {
  return 0.5 * (1 + Math.cos((Math.PI * <f64>epoch) / <f64>nEpochs));
}
