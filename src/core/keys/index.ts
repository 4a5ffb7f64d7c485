export * from './pem.js'
export * from './keys.js'
export * from './files.js'
