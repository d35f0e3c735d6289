/** Every reduction and refutation of the linearizability checker switched off: plain WGL with its exact memo. */
export const ALL_OFF = {
  readForcing: false,
  symmetry: false,
  keyFocus: false,
  frontierFirst: false,
  infoDominance: false,
  localRefutation: false,
  portfolio: false,
  valueRefutation: false,
  resetConstraints: false,
  lookahead: false,
  backjump: false,
} as const;
