export * from './bits.js'
export * from './simhash.js'
export * from './bucket.js'
export * from './data.js'
