/** A worker thread of verifyEnvelopeBatch: verifies the chunks it claims from the shared counter, posts its tally. */
import {parentPort, workerData} from 'node:worker_threads'
import {runBatchChunks, type BatchShare} from './verify.js'

parentPort!.postMessage(runBatchChunks(workerData as BatchShare))
