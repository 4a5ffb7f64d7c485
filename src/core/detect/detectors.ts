/** The detector table: one file per detector, keyed by the closed DetectorName union. */
import {clones} from './clones.js'
import {coordinated} from './coordinated.js'
import {drift} from './drift.js'
import {fleetShift} from './fleet-shift.js'
import type {Detector, DetectorName} from './types.js'

export const DETECTORS: {readonly [K in DetectorName]: Detector & {name: K}} = {
  drift: drift as Detector & {name: 'drift'},
  'fleet-shift': fleetShift as Detector & {name: 'fleet-shift'},
  'coordinated-onset': coordinated as Detector & {name: 'coordinated-onset'},
  clones: clones as Detector & {name: 'clones'},
}
