#!/usr/bin/env node
// How the sub-threshold sleeper group's detection depends on its size: the claimed group is 10% of the fleet; this
// prints the same attack at 5% and 10% (10 trials each, 1,000 agents, seed 20261127 unless given), so that
// SECURITY.md's "what does not hold" has its command. Needs the build (dist/).
//   node bench/redteam-sleeper.mjs [--agents 1000] [--seed 20261127]
import {parseArgs} from 'node:util'
const {values} = parseArgs({options: {agents: {type: 'string', default: '1000'}, seed: {type: 'string', default: '20261127'}}})
const {SLEEPER, subThreshold} = await import('../dist/core/redteam/vectors/sub-threshold.js')
const {runRedteam} = await import('../dist/core/redteam/engine.js')
const {VECTOR_TABLE} = await import('../dist/core/redteam/index.js')
const only = {...subThreshold, attacks: subThreshold.attacks.filter((a) => a.name === 'sleeper-group')}
const claimed = SLEEPER.fraction
for (const fraction of [0.05, 0.1]) {
  SLEEPER.fraction = fraction
  const r = await runRedteam({vectors: ['sub-threshold'], agents: Number(values.agents), seed: Number(values.seed), quick: false}, {...VECTOR_TABLE, 'sub-threshold': only})
  const a = r.report.vectors[0].attacks[0]
  console.log(`sleepers ${fraction * 100}% x ${SLEEPER.sd} sd, ${values.agents} agents, seed ${values.seed}: attack success without the defence ${a.undefended.attackSuccess}, with it ${a.defended.attackSuccess}; detected with it in ${a.defended.resisted}/${a.defended.trials} trials (${a.defended.detectionRate}); false fleet alarms ${a.defended.falsePositives}/${a.defended.honestUnits}`)
}
SLEEPER.fraction = claimed
