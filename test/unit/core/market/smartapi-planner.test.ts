import { describe, expect, it } from 'vitest';
import { planSmartFeed } from '../../../../src/core/market/smartapi-planner';

const syms = (n: number, p = 'S') => Array.from({ length: n }, (_, i) => `${p}${i}`);

describe('SmartAPI feed planner (3 connections × 1,000 tokens)', () => {
  it('fills connections in order and leaves out what does not fit, naming it', () => {
    const plan = planSmartFeed(syms(3005));
    expect(plan.connections.map((c) => c.length)).toEqual([1000, 1000, 1000]);
    expect(plan.leftOut).toEqual(['S3000', 'S3001', 'S3002', 'S3003', 'S3004']);
    expect(plan.warning).toContain('3 connections × 1000 tokens');
    expect(plan.warning).toContain('5 symbols not subscribed: S3000, S3001, S3002, S3003, S3004');
  });

  it('everything fits: no warning, one connection', () => {
    const plan = planSmartFeed(['A', 'B', 'A']);
    expect(plan.connections).toEqual([['A', 'B'], [], []]);
    expect(plan.warning).toBeNull();
  });

  it('keeps existing assignments (no churn) and fills holes first', () => {
    const prev = new Map([
      ['A', 2],
      ['B', 0],
    ]);
    const plan = planSmartFeed(['C', 'A', 'B'], prev, { connections: 3, tokensPerConnection: 2 });
    expect(plan.connections).toEqual([['B', 'C'], [], ['A']]);
  });

  it('a long warning is cut after ten names', () => {
    const plan = planSmartFeed(syms(25), new Map(), { connections: 1, tokensPerConnection: 5 });
    expect(plan.leftOut).toHaveLength(20);
    expect(plan.warning).toMatch(/S14, … \(10 more\)$/);
  });
});
