/**
 * oclif's help, with command descriptions reflowed. Descriptions are written with hard line breaks at about 115
 * columns; oclif wraps each of those lines again at the terminal's width (80 when piped), which left every other line
 * a few words long. Lines of one paragraph are joined before oclif wraps them; blank lines, list items ("- ", "* ",
 * "1. "), table rows ("|") and indented lines keep their own lines.
 */
import {Help, type Command} from '@oclif/core'

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
  protected override formatCommand(command: Command.Loadable): string {
    return super.formatCommand(command.description ? {...command, description: reflow(command.description)} : command)
  }
}
