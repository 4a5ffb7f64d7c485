import Bench from './index.js'
import type {Section} from '../../core/bench/report.js'

export default class BenchCrypto extends Bench {
  static override summary = 'Crypto throughput of the core beside raw node:crypto and noble, in the same run'
  static override examples = ['<%= config.bin %> bench crypto --quick', '<%= config.bin %> bench crypto --seed 7 --json']
  static override sections: Section[] = ['crypto']
}
