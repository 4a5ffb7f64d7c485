import Bench from './index.js'
import type {Section} from '../../core/bench/report.js'

export default class BenchCt extends Bench {
  static override summary = 'Timing-leak detector (dudect-style Welch t) on the constant-time compare, descriptor decision, hashing and query'
  static override examples = ['<%= config.bin %> bench ct --quick', '<%= config.bin %> bench ct --seed 7 --json']
  static override sections: Section[] = ['ct']
}
