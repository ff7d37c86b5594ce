/**
 * How deeply a JSON value nests. Code that walks values recursively (validators, masking, SDK
 * conversions, structuredClone) overflows the stack on input nested a few thousand levels deep,
 * so input from outside is measured here first. The walk itself never goes more than
 * `maxDepth` calls deep: it turns back as soon as it finds a value nested too deep.
 */

/**
 * The path to the first value nested deeper than `maxDepth` levels (the root object or array is
 * level 1), or undefined when none is. Strings, numbers and other scalars do not add a level.
 */
export function pathDeeperThan(value: unknown, maxDepth: number): PropertyKey[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const path: PropertyKey[] = [];
  return tooDeepBelow(value, 1, maxDepth, path) ? path.reverse() : undefined;
}

/** True when something inside `container` (at `depth`) is too deep; fills `path` backwards. */
function tooDeepBelow(container: object, depth: number, maxDepth: number, path: PropertyKey[]): boolean {
  if (depth > maxDepth) return true;
  if (Array.isArray(container)) {
    for (let index = 0; index < container.length; index++) {
      const child: unknown = container[index];
      if (typeof child === 'object' && child !== null && tooDeepBelow(child, depth + 1, maxDepth, path)) {
        path.push(index);
        return true;
      }
    }
    return false;
  }
  for (const key in container) {
    if (!Object.hasOwn(container, key)) continue;
    const child: unknown = (container as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null && tooDeepBelow(child, depth + 1, maxDepth, path)) {
      path.push(key);
      return true;
    }
  }
  return false;
}
