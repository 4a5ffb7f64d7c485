// Worker thread body for parallel.ts: parses one part of a JSONL file and posts its sums.
import {parentPort, workerData} from 'node:worker_threads'
import {parsePart, type PartJob} from './parallel.js'

parentPort!.postMessage(await parsePart(workerData as PartJob))
