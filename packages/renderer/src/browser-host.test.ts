// treeMemoryMb counts what the browser's processes really use: pages they share (libraries,
// fonts, shared memory) once, not once per process as a sum of RSS does.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { treeMemoryMb } from './browser-host';

function rssMb(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[21]) * 4096) / 2 ** 20;
}

describe('treeMemoryMb', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

  it('counts the pages that sibling processes share once', async () => {
    // Six identical processes share their executable's text: a sum of RSS counts it six times.
    for (let i = 0; i < 6; i++) children.push(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 1500));
    const rssSum = children.reduce((sum, c) => sum + rssMb(c.pid!), 0);
    const measured = treeMemoryMb(process.pid);
    expect(measured).toBeGreaterThan(0);
    expect(measured).toBeLessThan(rssSum * 0.9);
  });
});
