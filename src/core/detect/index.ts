/**
 * Fleet-level detection (issue 12). In-process API for the CLI and for red-team harnesses:
 *   detectFleet(fleetFromArrays({agents, features, observations, values}), {window, fpr}) -> DetectReport
 * See docs/detect.md for the statistics and their stated false-positive rates.
 */
export * from './types.js'
export * from './fleet.js'
export * from './engine.js'
export {DETECTORS} from './detectors.js'
export {agentNull, agentP, fleetNull, fleetP, CANDIDATE_P, type ReferenceMode} from './calibrate.js'
export {falsePairBound, honestCosineProbability, chooseCosine} from './clones.js'
export {benjaminiHochberg, chi2Sf, poissonSf} from './stats.js'
export {readFleet, FleetBuilder, TELEMETRY_FORMATS, type TelemetryFormat, type RecordSink} from './read.js'
export {renderText, renderSvg} from './render.js'
