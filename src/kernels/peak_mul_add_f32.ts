/**
 * The wasm SIMD ceiling without fused multiply-add: see asm/peak_mul_add_f32.ts. For the
 * benches, which report each kernel's rate as a share of it.
 */
import { checkInt } from './check.js';
import { kernels } from './wasm.js';

/** FLOP of one round of the kernel: 12 chains × (a multiply and an add) × 4 lanes. */
export const PEAK_FLOP_PER_ROUND = 96;

/** Runs `rounds` rounds of the register-only multiply-add chains; returns their checksum. */
export function peakMulAddF32(rounds: number): number {
  checkInt('peak_mul_add_f32', 'rounds', rounds, 0);
  return (kernels().exports.peak_mul_add_f32 as (rounds: number) => number)(rounds);
}
