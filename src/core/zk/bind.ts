/**
 * Binding a proof to recorded observations (issue 10, item 4). A proof made with `tcp prove --window LOG` is over one
 * checkpointed window of a verified tcp.log/v1 log: an aligned window [from, to] of entries whose commitment a
 * signed checkpoint carries (`tcp log append --window W`). Its salt is not random but derived from that window:
 *
 *   salt = first 31 bytes of SHA3-256("tcp.zk/v1 log window salt\0" || baselineDigest (32 bytes)
 *                                     || featureIndex (4 bytes, big-endian) || entry hashes from..to)
 *
 * so the circuit's public commitment (commitment.ts) is a function of the recorded window, the baseline and the
 * feature alone. `tcp verify PROOF --log LOG` verifies the log under the same trust, recomputes that commitment for
 * every checkpointed window and requires the proof's commitment to equal one of them (check `log-binding`). A proof
 * over any other set of values (chosen, reordered, a shifted window, another agent's log) has another commitment,
 * unless Poseidon collides.
 *
 * What it does NOT guarantee: hiding from whoever holds the log (the verifier with --log sees every value; the
 * salt is derived, not secret); that the recorded observations are true (only that they are the ones the agent's
 * key signed, in order); anything about windows other than the one proved.
 */
import {createHash} from 'node:crypto'
import {TcpError} from '../errors.js'
import type {Baseline} from '../baseline/types.js'
import type {Check} from '../verify/report.js'
import type {LogCheckpoint} from '../log/format.js'
import {MAX_WINDOW} from '../log/commit.js'
import {requireIndependentBaseline} from '../log/observe.js'
import {verifyLogFile, type LogHead, type LogReport, type LogVerifyOptions} from '../log/verify.js'
import type {ObservationSet} from '../baseline/observations.js'
import {windowCommitment} from './commitment.js'
import {featureIndexOf, fixedWindow, digestToField, type CircuitSize} from './statement.js'

const SALT_DOMAIN = 'tcp.zk/v1 log window salt\0'

/** A window of entries [from, to] whose commitment a signed checkpoint of the log carries. */
export interface LogWindow {
  from: number
  to: number
  /** The checkpoint that commits it: its line, seq and key id. */
  checkpoint: {line: number; seq: number; key: string}
  hashes: Buffer[]
  obs: Array<Record<string, number>>
}

/** The salt of a window's commitment: a function of the window, the baseline and the feature (header of this file). */
export function windowSalt(hashes: readonly Buffer[], digest: Uint8Array, featureIndex: number): bigint {
  const h = createHash('sha3-256').update(SALT_DOMAIN).update(digest)
  const fi = Buffer.alloc(4)
  fi.writeUInt32BE(featureIndex)
  h.update(fi)
  for (const x of hashes) h.update(x)
  return BigInt('0x' + h.digest().subarray(0, 31).toString('hex'))
}

/** The values of `feature` in the window's entries that record it, in order. */
export const windowValues = (w: LogWindow, feature: string): number[] => w.obs.filter((o) => Object.hasOwn(o, feature)).map((o) => o[feature]!)

/** The commitment a proof over window `w` of `feature` at circuit `size` carries, or null when the window cannot be proved. */
export function boundCommitment(w: LogWindow, baseline: Baseline, digest: Uint8Array, feature: string, size: CircuitSize): bigint | null {
  const values = windowValues(w, feature)
  if (values.length < 1 || values.length > size) return null
  const featureIndex = featureIndexOf(baseline, feature)
  let fixed: bigint[]
  try {
    fixed = fixedWindow(values, baseline.features[feature]!, size, feature)
  } catch {
    return null // a value outside the baseline's range: no proof over this window exists
  }
  return windowCommitment({size, values: fixed, featureIndex, baselineDigest: digestToField(digest), salt: windowSalt(w.hashes, digest, featureIndex)})
}

/**
 * Verifies the log (every check of verify.ts) while calling `onWindow` for each window a checkpoint commits. Work
 * and memory are bounded: the last MAX_WINDOW entries are kept, one window is handed out at a time. The caller
 * must trust the windows only when the returned report passes.
 */
export function scanCheckpointedWindows(path: string, opts: LogVerifyOptions, onWindow: (w: LogWindow) => void): LogReport {
  const kept = new Map<number, {hash: Buffer; obs: Record<string, number>}>()
  let lastHash: Buffer | null = null
  return verifyLogFile(path, opts, {
    entry(_seq, hash) {
      lastHash = hash
    },
    reference() {},
    parsed(e) {
      kept.set(e.seq, {hash: lastHash!, obs: e.obs})
      kept.delete(e.seq - MAX_WINDOW)
    },
    committed(cp: LogCheckpoint, line: number) {
      for (const c of cp.commitments ?? []) {
        const es = []
        for (let s = c.from; s <= c.to; s++) {
          const e = kept.get(s)
          if (!e) break
          es.push(e)
        }
        if (es.length !== c.to - c.from + 1) continue // the log verifier reports it ('commitments')
        onWindow({from: c.from, to: c.to, checkpoint: {line, seq: cp.seq, key: cp.key}, hashes: es.map((e) => e.hash), obs: es.map((e) => e.obs)})
      }
    },
  })
}

const firstFailure = (r: LogReport): string => {
  const f = r.checks.find((c) => !c.ok)
  return f ? `${f.check}: ${f.detail ?? 'failed'}` : 'no checks were run'
}

/**
 * The window `tcp prove --window LOG` proves: the one starting at `from`, or the last one committed. Throws
 * 'rejected' when the log does not verify, 'input' when it commits no such window.
 */
export function selectLogWindow(path: string, opts: LogVerifyOptions, from?: number): {window: LogWindow; report: LogReport; windows: number} {
  let chosen: LogWindow | null = null
  let windows = 0
  const report = scanCheckpointedWindows(path, opts, (w) => {
    windows++
    if (from === undefined || w.from === from) chosen = w
  })
  if (!report.ok) throw new TcpError('rejected', `rejected: log ${path}: ${firstFailure(report)}`, report)
  if (windows === 0) throw new TcpError('input', `log ${path} commits no windows: write it with tcp log append --window W (a proof is bound to a checkpointed window)`)
  if (!chosen) throw new TcpError('input', `log ${path} commits no window starting at seq ${from} (${windows} window(s); each starts at a multiple of the window size)`)
  return {window: chosen, report, windows}
}

/**
 * Check `log-binding`: the proof's commitment is the commitment of a checkpointed window of the log, verified under
 * `opts.trust`. Call it only on a bundle whose other checks passed (feature, size and commitment are then sound).
 */
export function checkLogBinding(
  bundle: {feature: string; commitment: string; circuit: {size: CircuitSize}},
  o: {baseline: Baseline; digest: Uint8Array; path: string; log: LogVerifyOptions; baselineSigners: readonly string[]; threshold: number},
): {check: Check; window?: {from: number; to: number; checkpointLine: number; checkpointSeq: number; keyId: string}; agent?: string; head?: number} {
  const fail = (detail: string) => ({check: {check: 'log-binding', ok: false, detail}})
  let match: LogWindow | null = null
  let windows = 0
  const report = scanCheckpointedWindows(o.path, o.log, (w) => {
    windows++
    if (!match && boundCommitment(w, o.baseline, o.digest, bundle.feature, bundle.circuit.size)?.toString() === bundle.commitment) match = {...w, hashes: [], obs: []}
  })
  if (!report.ok) return fail(`log ${o.path} does not verify (${firstFailure(report)})`)
  const agent = report.log.agent!
  const head = report.log.head!.seq
  if (o.baseline.agent && o.baseline.agent !== agent) return fail(`log ${o.path} is the log of ${agent}; the baseline describes agent ${o.baseline.agent}`)
  try {
    requireIndependentBaseline(o.baselineSigners, report.log.keyIds, o.threshold, o.path)
  } catch (e) {
    return fail((e as Error).message.replace(/^rejected: /, ''))
  }
  if (windows === 0) return fail(`log ${o.path} commits no windows (tcp log append --window W): nothing to bind the proof to`)
  const m = match as LogWindow | null
  if (!m) return fail(`the proof's commitment is not that of any of the ${windows} checkpointed window(s) of ${o.path} (agent ${agent}, head seq ${head}): the proved observations are not a recorded window`)
  return {
    check: {check: 'log-binding', ok: true, detail: `the proof is over entries ${m.from}..${m.to} of ${o.path} (agent ${agent}), committed by the checkpoint at line ${m.checkpoint.line} (seq ${m.checkpoint.seq}, key ${m.checkpoint.key}); log verified through head seq ${head}`},
    window: {from: m.from, to: m.to, checkpointLine: m.checkpoint.line, checkpointSeq: m.checkpoint.seq, keyId: m.checkpoint.key},
    agent,
    head,
  }
}

/**
 * What `tcp prove --window LOG` proves: the chosen checkpointed window's values of `feature`, as observations, with
 * the salt derived from that window, and the log head and window to state.
 */
export function logWindowForProof(
  path: string,
  o: {log: LogVerifyOptions; from?: number; baseline: Baseline; digest: Uint8Array; feature: string},
): {set: ObservationSet; salt: bigint; window: {from: number; to: number; checkpointLine: number; checkpointSeq: number}; agent: string; head: LogHead; keys: string[]} {
  const {window: w, report} = selectLogWindow(path, o.log, o.from)
  const agent = report.log.agent!
  if (o.baseline.agent && o.baseline.agent !== agent) throw new TcpError('usage', `log ${path} is the log of ${agent}; the baseline describes agent ${o.baseline.agent}`)
  const featureIndex = featureIndexOf(o.baseline, o.feature)
  const values = windowValues(w, o.feature)
  return {
    set: {features: values.length ? [o.feature] : [], rows: values.map((v) => ({agent, time: 0, values: {[o.feature]: v}}))},
    salt: windowSalt(w.hashes, o.digest, featureIndex),
    window: {from: w.from, to: w.to, checkpointLine: w.checkpoint.line, checkpointSeq: w.checkpoint.seq},
    agent,
    head: report.log.head!,
    keys: report.log.keyIds,
  }
}
