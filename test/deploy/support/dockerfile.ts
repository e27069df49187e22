// A small Dockerfile reader: stages, their instructions (continuation lines joined, comments
// dropped) and the chain of stages a build target inherits from. Enough to check what an image
// contains without a Docker engine.

export interface Instruction {
  keyword: string;
  /** The arguments as written, continuation lines joined with spaces. */
  args: string;
}

export interface Stage {
  name: string;
  /** The base as written after ARG substitution: an image or another stage's name. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  args: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (pending && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${pending}${line}`.trim());
    pending = '';
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') {
      const [, image = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      const from = image.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => args[arg] ?? '');
      stages.push({ name: name ?? String(stages.length), from, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [name = '', value = ''] = rest.split('=');
        args[name] = value;
      }
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** The stages a target is built from, base first, ending with the target itself. */
export function stageChain(file: Dockerfile, target: string): Stage[] {
  const chain: Stage[] = [];
  for (let stage = file.stages.find((s) => s.name === target); stage; stage = file.stages.find((s) => s.name === stage!.from)) {
    chain.unshift(stage);
  }
  return chain;
}

/** Every instruction a target's image inherits, in build order. */
export function instructionsOf(file: Dockerfile, target: string): Instruction[] {
  return stageChain(file, target).flatMap((s) => s.instructions);
}

/** The arguments of an exec-form instruction (`CMD ["node", "x.js"]`), or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  const json = /(\[.*\])\s*$/.exec(args)?.[1];
  if (!json) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}
