import Bench from './index.js'
import type {Section} from '../../core/bench/report.js'

export default class BenchPaths extends Bench {
  static override summary = 'Measure ns per operation of the descriptor decision, bit-sampling key, Hamming distance and SimHash'
  static override examples = ['<%= config.bin %> bench paths --quick', '<%= config.bin %> bench paths --seed 7 --json']
  static override sections: Section[] = ['paths']
}
