import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, formatSeconds, parseBytes, parseCpu, parseDuration } from '../../shared/spec/resources.js';

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

describe('parseDuration (the time fields)', () => {
  it.each([
    [3600, 3600],
    ['3600', 3600],
    ['90s', 90],
    ['30m', 1800],
    ['2h', 7200],
    ['1d', 86_400],
    ['1h30m', 5400],
    ['1h 30m', 5400],
    ['1d2h3m4s', 93_784],
    ['1.5h', 5400],
    ['0.5', 1],
    ['0h1s', 1],
    [' 45s ', 45],
  ])('reads %s as %s seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each([
    ['0', 'must be more than 0 seconds'],
    [0, 'must be more than 0 seconds'],
    ['0s', 'must be more than 0 seconds'],
    ['0h0m', 'must be more than 0 seconds'],
    ['-1', 'must be more than 0 seconds'],
    [-5, 'must be more than 0 seconds'],
    ['-1h', 'must be more than 0 seconds'],
    ['-x', 'is not a time'],
    ['lots', 'is not a time'],
    ['1x', 'is not a time'],
    ['30m1h', 'is not a time'],
    ['1h1h', 'is not a time'],
    ['2 hours', 'is not a time'],
    ['1H', 'is not a time'],
    ['', 'is not a time'],
    ['010', 'leading zero'],
    [null, 'expected a time'],
    [true, 'expected a time'],
  ])('refuses %s (%s)', (input, message) => {
    expect(() => parseDuration(input)).toThrow(message);
  });

  it('says which forms it takes', () => {
    expect(() => parseDuration('lots')).toThrow('"lots" is not a time: write seconds (3600) or numbers with the units d, h, m, s in that order (90s, 30m, 2h, 1d, 1h30m)');
  });

  it('formats seconds back in the same units', () => {
    expect([5400, 604_800, 45, 93_784, 3600].map(formatSeconds)).toEqual(['1h30m', '7d', '45s', '1d2h3m4s', '1h']);
    for (const s of [1, 59, 61, 3599, 86_401, 1_000_000]) expect(parseDuration(formatSeconds(s))).toBe(s);
  });
});
