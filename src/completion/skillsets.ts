/** Skillsets: named abilities the bot has, given to the model as instructions. */

export interface Ability {
  name: string;
  description: string;
  instruction: string;
}

export interface Skillset {
  name?: string;
  description?: string;
  abilities: Ability[];
}

/** The system-context section describing every ability, or undefined when there are none. */
export function skillsetInstructions(skillsets: readonly Skillset[]): string | undefined {
  const abilities = skillsets.flatMap((skillset) => skillset.abilities);
  if (abilities.length === 0) return undefined;
  const lines = ['You have these abilities. Use one when the conversation calls for it, following its instruction:'];
  for (const ability of abilities) {
    lines.push(`- ${ability.name}: ${ability.description}`.trimEnd());
    if (ability.instruction.trim() !== '') lines.push(`  Instruction: ${ability.instruction.trim()}`);
  }
  return lines.join('\n');
}
