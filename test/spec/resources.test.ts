import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, parseBytes, parseCpu } from '../../shared/spec/resources.js';

describe('parseBytes', () => {
  it.each([
    ['512Mi', 512 * 1024 ** 2],
    ['4G', 4e9],
    ['4Gi', 4 * 1024 ** 3],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['100k', 1e5],
    ['64M', 64e6],
    ['2T', 2e12],
    ['1Ti', 1024 ** 4],
    [1048576, 1048576],
    ['123', 123],
  ])('reads %s', (input, bytes) => {
    expect(parseBytes(input)).toBe(bytes);
  });

  it.each(['4GG', '-1', '1.5.2', '?', '?G', '', '0', 'G', '4 G', '4gb', null])('rejects %s with the accepted forms', (input) => {
    expect(() => parseBytes(input)).toThrow(/size|more than 0/);
  });
});

describe('parseCpu', () => {
  it.each([
    [1, 1000],
    ['2', 2000],
    [0.5, 500],
    ['0.25', 250],
    ['500m', 500],
    ['1500m', 1500],
  ])('reads %s', (input, millicores) => {
    expect(parseCpu(input)).toBe(millicores);
  });

  it.each(['-1', '?', 'two', '0', '0m', '1.5.2', '4GG'])('rejects %s', (input) => {
    expect(() => parseCpu(input)).toThrow(/cpu/);
  });
});

describe('formatting', () => {
  it('keeps the unit family a value was written in', () => {
    expect(formatBytes(parseBytes('64M'))).toBe('64M');
    expect(formatBytes(parseBytes('8Gi'))).toBe('8Gi');
    expect(formatBytes(parseBytes('1.5Gi'))).toBe('1.5Gi');
    expect(formatBytes(100)).toBe('100B');
    expect(formatCpu(2000)).toBe('2');
    expect(formatCpu(500)).toBe('500m');
  });
});
