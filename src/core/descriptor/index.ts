export * from './crc32.js'
export * from './format.js'
export * from './set.js'
export * from './cli.js'
