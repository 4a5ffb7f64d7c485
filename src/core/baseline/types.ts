/**
 * The behavioral baseline document (payload of a signed envelope, payloadType application/vnd.tcp.baseline+json).
 * Canonical bytes are RFC 8785 (JCS) JSON of this object; its digest is SHA3-256 of those bytes.
 */

export const BASELINE_SCHEMA = 'tcp.baseline/v1'
export const BASELINE_PAYLOAD_TYPE = 'application/vnd.tcp.baseline+json'

/**
 * Fixed-point form of a feature for the circuits: an observation x maps to round((x - offset) * scale), which must
 * lie in [0, 2^bits). `mean` and `variance` are in those units (variance in scale^2 units) and are what both
 * `tcp baseline check` and the zero-knowledge circuits use, so that they always agree (see bounds.ts).
 */
export interface FixedPoint {
  /** 10^decimals */
  scale: number
  decimals: number
  /** A decimal number (exact in its JSON text), subtracted before scaling so that values are non-negative. */
  offset: number
  bits: number
  /** round((mean - offset) * scale) */
  mean: number
  /** round(variance * scale^2) */
  variance: number
  min: number
  max: number
}

export interface FeatureStats {
  count: number
  mean: number
  /** Sample variance (n - 1 denominator); 0 for a single observation. */
  variance: number
  sd: number
  min: number
  max: number
  fixed: FixedPoint
}

export interface Baseline {
  schema: typeof BASELINE_SCHEMA
  subject: string
  /** The agent the window was restricted to, or null for every agent in the input. */
  agent: string | null
  version: number
  /** Hex SHA3-256 of the canonical bytes of the previous baseline, or null for the first of a chain. */
  previous: string | null
  created: string
  notAfter: string | null
  window: {start: string; end: string; observations: number}
  features: Record<string, FeatureStats>
  /**
   * Optional (baseline create --per-agent): exact integer moments of the observations quantised to 10^-decimals,
   * what tcp aggregate merges exactly (src/core/aggregate/moments.ts). Absent from baselines made without it.
   */
  moments?: {decimals: number; features: Record<string, {n: string; sum: string; m2n: string}>}
}
