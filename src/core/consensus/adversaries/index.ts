/**
 * The adversary registry: one file per strategy, one line here. `Strategy` is the closed union of its keys, so a
 * strategy named anywhere (flags, sweeps, tests) without an adversary does not compile.
 */
import type {Adversary} from '../adversary.js'
import {bias} from './bias.js'
import {delay} from './delay.js'
import {equivocate} from './equivocate.js'
import {forge} from './forge.js'
import {pull} from './pull.js'
import {replay} from './replay.js'
import {sleeper} from './sleeper.js'
import {strongest} from './strongest.js'
import {withhold} from './withhold.js'

export const ADVERSARIES = {equivocate, withhold, delay, sleeper, bias, forge, replay, strongest, pull} as const satisfies Record<string, Adversary>

export type Strategy = keyof typeof ADVERSARIES
export const STRATEGIES = Object.keys(ADVERSARIES) as Strategy[]
