/**
 * Turns the string flags shared by `tcp consensus simulate` and `tcp consensus sweep` into simulator options, with
 * one-line usage errors that name the flag and the value.
 */
import {TcpError} from '../errors.js'
import {parseLatency, parsePartition} from './network.js'
import {parseNumberFlag, type SimOptions} from './simulate.js'

export interface NetworkFlags {
  latency: string
  'max-delay-ms': string
  loss: string
  partition?: string
  'timeout-ms': string
  backoff?: string
  'turn-at-ms'?: string
  'delay-ms'?: string
  crypto: string
}

export function networkOptions(f: NetworkFlags): Pick<
  SimOptions,
  'latency' | 'maxDelayMs' | 'loss' | 'partition' | 'timeoutMs' | 'backoff' | 'turnAtMs' | 'delayMs' | 'crypto'
> {
  if (!['auto', 'ed25519', 'bls', 'blst', 'model'].includes(f.crypto))
    throw new TcpError('usage', `--crypto: expected auto, ed25519, bls, blst or model, got "${f.crypto}"`)
  return {
    latency: parseLatency(f.latency),
    maxDelayMs: parseNumberFlag('max-delay-ms', f['max-delay-ms']),
    loss: parseNumberFlag('loss', f.loss),
    partition: f.partition === undefined ? undefined : parsePartition(f.partition),
    timeoutMs: parseNumberFlag('timeout-ms', f['timeout-ms']),
    backoff: f.backoff === undefined ? undefined : parseNumberFlag('backoff', f.backoff),
    turnAtMs: f['turn-at-ms'] === undefined ? undefined : parseNumberFlag('turn-at-ms', f['turn-at-ms']),
    delayMs: f['delay-ms'] === undefined ? undefined : parseNumberFlag('delay-ms', f['delay-ms']),
    crypto: f.crypto as SimOptions['crypto'],
  }
}
