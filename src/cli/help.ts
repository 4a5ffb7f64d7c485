/**
 * oclif's help, with command descriptions reflowed. Descriptions are written with hard line breaks at about 115
 * columns; oclif wraps each of those lines again at the terminal's width (80 when piped), which left every other line
 * a few words long. Lines of one paragraph are joined before oclif wraps them; blank lines, list items ("- ", "* ",
 * "1. "), table rows ("|") and indented lines keep their own lines.
 */
import {Help, type Command, type Interfaces} from '@oclif/core'
import {TcpError} from '../core/errors.js'

const KEEPS_ITS_LINE = /^(\s|[-*] |\||\d+\. |\$ )/

export function reflow(text: string): string {
  const out: string[] = []
  for (const line of text.split('\n')) {
    const prev = out.length ? out[out.length - 1]! : ''
    if (out.length && line.trim() && prev.trim() && !prev.startsWith('|') && !KEEPS_ITS_LINE.test(line)) out[out.length - 1] = `${prev} ${line.trim()}`
    else out.push(line)
  }
  return out.join('\n')
}

export default class TcpHelp extends Help {
  /**
   * `tcp keys --json` (a topic, no command) would print the topic's help on stdout, where --json promises one JSON
   * document (docs/json.md): under --json it is a usage error that names the topic's commands. oclif hands a topic's
   * help only the topic's name, so the flags are read from the process's own arguments.
   */
  protected override async showTopicHelp(topic: Interfaces.Topic): Promise<void> {
    const argv = process.argv.slice(2)
    if (!argv.includes('--json') || argv.includes('--help') || argv.includes('-h')) return super.showTopicHelp(topic)
    const under = this.config.commands.filter((c) => c.id.startsWith(topic.name + ':') && !c.hidden).map((c) => c.id.slice(topic.name.length + 1))
    throw new TcpError('usage', `tcp ${topic.name} is a topic: name one of its commands (${under.sort().join(', ')})`)
  }

  protected override formatCommand(command: Command.Loadable): string {
    return super.formatCommand(command.description ? {...command, description: reflow(command.description)} : command)
  }
}
