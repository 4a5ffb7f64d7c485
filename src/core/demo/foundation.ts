import type {DemoStep} from './index.js'

/** Foundation steps: keys, baseline, sign, verify, tamper, check, seal. Filled in by the foundation work. */
export const steps: DemoStep[] = []
