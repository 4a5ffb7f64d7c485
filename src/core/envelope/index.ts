export * from './dsse.js'
export * from './statement.js'
export * from './trust.js'
export * from './verify.js'
