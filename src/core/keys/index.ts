export * from './pem.js'
export * from './keys.js'
export * from './keyid.js'
export * from './files.js'
