/**
 * Streaming file ends for seal and unseal: an input read through a file handle; the output is io.ts createOutput
 * (a temporary file published only when committed).
 */
import {constants as fsConstants} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import {TcpError, fromSystemError} from '../errors.js'
import type {ByteSource} from './stream.js'
import {refuseDash} from '../io.js'

export {createOutput, type OutputFile} from '../io.js'

export interface InputFile {
  source: ByteSource
  size: number
  close(): Promise<void>
}

export async function openInput(path: string, what: string): Promise<InputFile> {
  refuseDash(path, what, 'stdin')
  let fh: FileHandle
  try {
    fh = await open(path, fsConstants.O_RDONLY)
  } catch (e) {
    throw fromSystemError(e, what, path)
  }
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new TcpError('io', `${what} is not a regular file: ${path}`)
    const source: ByteSource = {
      async read(buf, offset, length) {
        try {
          return (await fh.read(buf, offset, length, null)).bytesRead
        } catch (e) {
          throw fromSystemError(e, what, path)
        }
      },
    }
    return {source, size: st.size, close: () => fh.close()}
  } catch (e) {
    await fh.close()
    throw fromSystemError(e, what, path)
  }
}
