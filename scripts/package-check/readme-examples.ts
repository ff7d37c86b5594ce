/**
 * The README's TypeScript examples that are whole modules: every ```ts block whose first line of
 * code is an import. Those must compile against the installed package as written; blocks
 * without imports are fragments (a few calls on an object defined elsewhere) and are left out.
 */

export interface ReadmeExample {
  /** A file name for it: its position and the heading it is under. */
  fileName: string;
  heading: string;
  code: string;
  /** The module specifiers it imports from. */
  imports: string[];
}

const BLOCK = /^```(?:ts|typescript)\n([\s\S]*?)^```/gm;
const IMPORT_FROM = /^\s*import\s[^;]*?from\s+['"]([^'"]+)['"]/gm;

export function readmeExamples(markdown: string): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  for (const match of markdown.matchAll(BLOCK)) {
    const code = match[1]!;
    const firstCode = code.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('//'));
    if (!firstCode?.trimStart().startsWith('import ')) continue;
    const heading = headingBefore(markdown, match.index);
    const slug = heading.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'top';
    examples.push({
      fileName: `readme-${String(examples.length + 1).padStart(2, '0')}-${slug}.ts`,
      heading,
      code,
      imports: importsOf(code),
    });
  }
  return examples;
}

/** The module specifiers a module imports from (`import … from '…'`, type imports too). */
export function importsOf(code: string): string[] {
  return [...code.matchAll(IMPORT_FROM)].map((found) => found[1]!);
}

function headingBefore(markdown: string, index: number): string {
  const headings = [...markdown.slice(0, index).matchAll(/^#{1,6}\s+(.+)$/gm)];
  return headings.at(-1)?.[1]?.trim() ?? '';
}
