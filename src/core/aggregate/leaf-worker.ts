/** Worker thread of pool.ts: verifies batches of leaves with the trust store it was started with. */
import {parentPort, workerData} from 'node:worker_threads'
import {verifyLeafTexts, type LeafJob} from './pool.js'
import type {LeafText} from './source.js'

const job = workerData as LeafJob
parentPort!.on('message', (m: {seq: number; items: LeafText[]}) => parentPort!.postMessage({seq: m.seq, out: verifyLeafTexts(m.items, job)}))
