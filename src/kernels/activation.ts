/**
 * The hidden-layer activations of the MLP kernels: the one table that the option check,
 * the CLI, the workspace descriptor and the reference twins read. A name's position is
 * its code in the network descriptor (asm/mlp_layout.ts, slot [1]).
 */

/** Activation names, in the order of their descriptor codes. */
export const ACTIVATIONS = Object.freeze(['relu', 'silu', 'gelu'] as const);

/** Activation functions of hidden layers. */
export type Activation = (typeof ACTIVATIONS)[number];

/** The descriptor code of each activation (asm/mlp_forward_f32.ts, asm/mlp_train_step_f32.ts). */
export function activationCode(activation: Activation): number {
  return ACTIVATIONS.indexOf(activation);
}
