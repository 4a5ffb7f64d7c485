import Bench from './index.js'
import type {Section} from '../../core/bench/report.js'

export default class BenchLsh extends Bench {
  static override summary = 'All-pairs near-duplicate search: LSH against brute force at growing n, recall, speedup, growth exponent'
  static override examples = ['<%= config.bin %> bench lsh --quick', '<%= config.bin %> bench lsh --seed 7 --json']
  static override sections: Section[] = ['lsh']
}
