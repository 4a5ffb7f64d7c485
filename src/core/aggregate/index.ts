/**
 * tcp aggregate: verifiable hierarchical aggregation of baselines (docs/aggregate.md). In-process API for harnesses:
 *   momentsOf / mergeMoments          exact fixed-point Chan merge
 *   median, mad, trimmedMean, medianOfMeans   robust statistics
 *   outlierTest, escapeProbability    the sibling outlier test and the audit sampling bound
 *   syntheticChild, buildTreeInMemory, computeNode   trees from in-memory statistics, no files
 *   merkleRoot, inclusionPath, verifyInclusion        RFC 9162 hashing (SHA3-256)
 */
export * from './moments.js'
export * from './robust.js'
export * from './outliers.js'
export * from './merkle.js'
export * from './node.js'
export * from './tree.js'
export * from './leaf.js'
export * from './fleet.js'
export * from './agents.js'
export * from './prove.js'
