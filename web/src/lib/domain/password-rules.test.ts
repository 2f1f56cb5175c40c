import { describe, expect, it } from 'vitest';
import { passwordProblems } from './password-rules.ts';

describe('passwordProblems', () => {
  it('accepts a long mixed password', () => {
    expect(passwordProblems('correct-horse-battery')).toEqual([]);
    expect(passwordProblems('Tr0ub4dor&3x')).toEqual([]);
  });

  it('refuses short, one-class, repetitive and common passwords', () => {
    expect(passwordProblems('Ab1!')).toContain('must be at least 10 characters');
    expect(passwordProblems('abcdefghijkl')).toContain('must mix letters with digits, capitals or symbols');
    expect(passwordProblems('aaaaaaaaaaaa1')).toContain('must not repeat the same few characters');
    expect(passwordProblems('Password123')).toContain('is one of the most common passwords');
    expect(passwordProblems(' leading-space-1')).toContain('must not start or end with a space');
    expect(passwordProblems('x'.repeat(201))).toContain('must be at most 200 characters');
  });

  it('refuses passwords built from the account email or name', () => {
    expect(passwordProblems('alice.smith-2026', { email: 'alice.smith@shop.test' })).toContain('must not contain your email address');
    expect(passwordProblems('Bernadette-2026!', { name: 'Bernadette Long' })).toContain('must not contain your name');
    // short name parts (under 4 letters) are not judged: they appear in too many good passwords
    expect(passwordProblems('correct-horse-bo-2026', { name: 'Bo Li' })).toEqual([]);
  });
});
