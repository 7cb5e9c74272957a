// The JSON fast path (JsonQuoteScanner) against the reference path (JSON.parse): the same frame bytes
// must give the same sink calls, in the same order, with the same arguments (−0 and 0 told apart),
// and the same parser stats. Plus hand-written cases for every reason the scanner gives up and for
// the exactness edge cases (numbers, timestamps, symbols, duplicate keys).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MarketFrameParser, type MarketParserOptions } from '../../../../../src/node/venues/alpaca/market-parser';
import { JsonQuoteScanner, KIND_QUOTE, MAX_FAST_MESSAGES } from '../../../../../src/node/venues/alpaca/json-quote-scanner';
import { parseRfc3339Ms, parseRfc3339MsBytes } from '../../../../../src/node/venues/alpaca/codec';
import { sim, simInstruments } from '../../../../helpers/ids';

type Call = [kind: 'quote' | 'trade' | 'control' | 'malformed', arg: unknown];

function recorder(options: Omit<MarketParserOptions, 'instruments'>) {
  const calls: Call[] = [];
  const parser = new MarketFrameParser(
    {
      quote: (q) => calls.push(['quote', q]),
      trade: (t) => calls.push(['trade', t]),
      control: (c) => calls.push(['control', c]),
      malformed: (r) => calls.push(['malformed', r]),
    },
    { instruments: simInstruments(), ...options },
  );
  return { parser, calls };
}

/** One fast parser, one reference parser, and a scanner to see which path a frame took. */
function differential() {
  const fast = recorder({});
  const ref = recorder({ jsonScanner: false });
  const probe = new JsonQuoteScanner();
  const taken = { scanned: 0, fellBack: 0, reasons: new Map<string, number>() };
  let receivedAt = 1_000;
  return {
    taken,
    check(frame: Buffer): void {
      if (probe.scan(frame)) taken.scanned++;
      else {
        taken.fellBack++;
        taken.reasons.set(probe.reason, (taken.reasons.get(probe.reason) ?? 0) + 1);
      }
      fast.calls.length = 0;
      ref.calls.length = 0;
      receivedAt++;
      fast.parser.frame(frame, false, receivedAt);
      ref.parser.frame(frame, false, receivedAt);
      expect(fast.calls).toEqual(ref.calls);
      expect(fast.parser.stats).toEqual(ref.parser.stats);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Generators: JSON *text* (tokens), so that formatting (whitespace, number spelling, escapes,
// duplicate keys, key order) is under the test's control, not JSON.stringify's. Each generator has
// a tame form (the fast path should take most of those frames) and a hostile one (escapes, unicode,
// nesting, bad tokens, truncation... mostly for the fallback).

const pick = <T,>(hostile: boolean, tame: fc.Arbitrary<T>, nasty: fc.Arbitrary<T>, nastyWeight = 1): fc.Arbitrary<T> =>
  hostile ? fc.oneof({ weight: 4, arbitrary: tame }, { weight: nastyWeight, arbitrary: nasty }) : tame;

const validWs = fc.constantFrom('', '', '', '', ' ', '\n', '\t', '\r', '  ', ' \r\n\t ');
const wsOf = (hostile: boolean) => pick(hostile, validWs, fc.constantFrom('\f', '\u00a0', '\v', '\u2028', '\u0000'));

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: min, maxLength: max });

/** Well-formed JSON numbers of every spelling: short prices, long decimals, exponents, extremes. */
const numberText = fc.oneof(
  // prices as Alpaca sends them
  fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 4 })).map(([cents, k]) => (cents / 10 ** k).toString()),
  // many digits in the integer and fraction parts
  fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 9 }), digits(0, 25), digits(0, 30)).map(([neg, first, int, frac]) => `${neg ? '-' : ''}${first}${int}${frac.length ? `.${frac}` : ''}`),
  fc.tuple(fc.boolean(), digits(1, 30)).map(([neg, frac]) => `${neg ? '-' : ''}0.${frac}`),
  // any double as JSON.stringify spells it (tiny, huge, exponent forms)
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  // exponents spelt by hand
  fc.tuple(fc.integer({ min: -999, max: 99_999 }), fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 3)).map(([m, e, s, x]) => `${m}${e}${s}${x}`),
  fc.constantFrom('0', '-0', '0.0', '-0.0', '0e0', '-0E-0', '1', '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740993', '900719925474099.3', '0.1', '0.3', '581.63', '1e400', '-1e400', '5e-324', '2.2250738585072014e-308', '1.7976931348623157e308', '0.0000000000000000000001', '0.00000000000000000000001', '123456789012345678901234567890', '1.00000000000000000000000000001'),
);

/** Almost-numbers: each is invalid JSON (JSON.parse throws → malformed). */
const badNumberText = fc.constantFrom('01', '-', '-01', '1.', '.5', '+1', '1e', '1e+', '1.e5', '0x10', 'NaN', 'Infinity', '-Infinity', '1_000', '00', '--1', '1..2', '1.5.5', '١');

const plainAscii = fc.string({ unit: fc.constantFrom(...'ABCXYZabcz0129 .:-_/+'.split('')), maxLength: 12 });
/** Strings as JSON text: plain; or escaped, unicode, control characters, broken. */
const stringTextOf = (hostile: boolean) =>
  pick(
    hostile,
    plainAscii.map((s) => `"${s}"`),
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }).map((s) => JSON.stringify(s)),
      fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => JSON.stringify(s)),
      fc.constantFrom('"\\u0071"', '"\\u0053PY"', '"S\\/P"', '"\\""', '"a\\nb"', '"\u00e9"', '"\u2028"', '"\ud83d\ude00"', '"\t"', '"\\x41"', '"\\u00"', '"\\', '"'),
    ),
  );

const symbolTextOf = (hostile: boolean) =>
  pick(
    hostile,
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('SPY', 'AAPL', 'AMD', 'X', 'BRK.B', 'FAKEPACA', 'SPXW240327P04925000') },
      { weight: 1, arbitrary: fc.constantFrom('', 'A'.repeat(32), 'A'.repeat(33)) },
      { weight: 2, arbitrary: fc.stringMatching(/^[A-Z]{1,6}$/) },
    ).map((s) => `"${s}"`),
    fc.oneof(fc.constantFrom('"ÄPPL"', '"S\\u0050Y"', '"SP\\"Y"'), stringTextOf(true)),
  );

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** Timestamps (all plain ASCII): valid ones in a narrow range (the minute memo), any date, other forms. */
const timeText = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: Date.UTC(2026, 10, 20, 14, 58), max: Date.UTC(2026, 10, 20, 15, 2) }), digits(0, 9)).map(([ms, frac]) => `"${new Date(ms).toISOString().slice(0, 19)}${frac ? `.${frac}` : ''}Z"`) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 61 }), digits(0, 10)).map(
      ([y, mo, d, h, mi, s, frac]) => `"${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac ? `.${frac}` : ''}Z"`,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '"2021-02-22T10:51:45.5-05:00"',
      '"2021-02-22T15:51:45.335689322+00:00"',
      '"2021-02-22 15:51:45Z"',
      '"2021-02-22T15:51:45z"',
      '"2021-02-22T15:51:45.Z"',
      '"2021-02-22T15:51:45.1234567890Z"',
      '"2024-02-29T00:00:00Z"',
      '"2023-02-29T00:00:00Z"',
      '"2021-02-22T15:51:4aZ"',
      '"2021-02-22"',
      '"yesterday"',
      '""',
      `"2021-02-22T15:51:45.${'1'.repeat(19)}Z"`,
      `"2021-02-22T15:51:45.${'1'.repeat(20)}Z"`,
      '"Mon, 22 Feb 2021 15:51:45 GMT"',
      '"2021-02-22T10:51:45.12345678901234-05:00"', // 40 characters: read by Date.parse
      '"2021-02-22T10:51:45.123456789012345-05:00"', // 41: too long for the parser, though Date.parse reads it
    ),
  },
);

const literalText = fc.constantFrom('null', 'true', 'false');
const scalarTextOf = (hostile: boolean) => fc.oneof({ weight: 3, arbitrary: numberText }, { weight: 3, arbitrary: stringTextOf(hostile) }, { weight: 1, arbitrary: literalText });

/** A value under a key the parser does not read: scalars, arrays of scalars (like "c"), or worse. */
const otherValueTextOf = (hostile: boolean) =>
  pick(
    hostile,
    fc.oneof(
      { weight: 4, arbitrary: scalarTextOf(false) },
      { weight: 1, arbitrary: fc.tuple(fc.array(scalarTextOf(false), { maxLength: 4 }), validWs).map(([xs, w]) => `[${w}${xs.join(`${w},${w}`)}${w}]`) },
    ),
    fc.oneof(
      fc.tuple(fc.array(scalarTextOf(true), { maxLength: 4 }), wsOf(true)).map(([xs, w]) => `[${w}${xs.join(`${w},${w}`)}${w}]`),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      badNumberText,
      fc.constantFrom('nul', 'True', 'undefined', '[1,]', '[,]', '{"a":1,}', '{}', '[]', '[[]]', '[{}]'),
    ),
    2,
  );

const priceTextOf = (hostile: boolean) =>
  pick(
    hostile,
    fc.oneof({ weight: 12, arbitrary: numberText }, { weight: 1, arbitrary: fc.constantFrom('null', '"1.5"', '"x"', 'true', 'false') }),
    fc.oneof(fc.constantFrom('[]', '[1]', '{"v":1}'), badNumberText),
  );
const sizeTextOf = (hostile: boolean) =>
  fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 100_000 }).map(String) }, { weight: 2, arbitrary: priceTextOf(hostile) });

const typeTextOf = (hostile: boolean) =>
  pick(
    hostile,
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('"q"', '"t"') },
      { weight: 2, arbitrary: fc.constantFrom('"b"', '"d"', '"u"', '"c"', '"x"', '"s"', '"l"', '"i"', '"n"', '"o"', '"zz-new"', '""', '"Q"', '"qq"', '"success2"') },
      { weight: 1, arbitrary: fc.constantFrom('null', '7', '-0.5', 'true', 'false') },
    ),
    fc.constantFrom('"success"', '"error"', '"subscription"', '["q"]', '{"q":1}', '"\\u0071"'),
  );

type Pair = [key: string, value: string];

const READ_KEYS = ['T', 'S', 'bp', 'ap', 'bs', 'as', 'p', 's', 't'];

/** A message as key/value text pairs: the usual fields (any may be missing), extras, duplicates, any order. */
const messagePairsOf = (hostile: boolean): fc.Arbitrary<Pair[]> =>
  fc
    .tuple(
      typeTextOf(hostile),
      symbolTextOf(hostile),
      fc.record(
        {
          bp: priceTextOf(hostile),
          ap: priceTextOf(hostile),
          bs: sizeTextOf(hostile),
          as: sizeTextOf(hostile),
          p: priceTextOf(hostile),
          s: sizeTextOf(hostile),
          t: fc.oneof({ weight: 8, arbitrary: timeText }, { weight: 1, arbitrary: fc.constantFrom('null', '12345', 'true') }),
          bx: stringTextOf(hostile),
          ax: stringTextOf(hostile),
          c: fc.constantFrom('["R"]', '[]', '["@","I"]', '[ "R" , "Y" ]', '[1,null,true]'),
          z: fc.constantFrom('"A"', '"B"', '"C"'),
          i: fc.integer({ min: 0, max: 2 ** 53 - 1 }).map(String),
          msg: stringTextOf(hostile),
          code: fc.constantFrom('406', '"406"', '400'),
          quotes: fc.constantFrom('"SPY"', 'null'),
        },
        { requiredKeys: [] },
      ),
      fc.array(fc.tuple(pick(hostile, plainAscii.map((s) => `"${s}"`), fc.constantFrom('"__proto__"', '"constructor"', '"b\\u0070"', '"\\u0054"', '"\u00e9"', '"bp "', '"BP"')), otherValueTextOf(hostile)), { maxLength: 3 }),
      fc.array(fc.tuple(fc.constantFrom(...READ_KEYS), fc.oneof(priceTextOf(hostile), symbolTextOf(hostile), typeTextOf(hostile), timeText)), { maxLength: 2 }),
      fc.integer({ min: 0, max: 15 }),
    )
    .chain(([type, symbol, fields, extras, dups, drop]) => {
      const pairs: Pair[] = [];
      if (drop !== 0) pairs.push(['"T"', type]); // sometimes no "T" at all
      if (drop !== 1) pairs.push(['"S"', symbol]);
      for (const [k, v] of Object.entries(fields)) pairs.push([`"${k}"`, v]);
      pairs.push(...extras);
      // duplicate keys, anywhere: the last occurrence wins in JSON.parse
      for (const [k, v] of dups) pairs.push([`"${k}"`, v]);
      return fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length });
    });

function objectText(pairs: Pair[], w: string[]): string {
  const at = (i: number) => w[i % w.length] ?? '';
  return `{${at(0)}${pairs.map(([k, v], i) => `${k}${at(i + 1)}:${at(i + 2)}${v}`).join(`${at(3)},${at(4)}`)}${at(5)}}`;
}

/** A whole frame: an array of messages with whitespace anywhere; hostile frames are also broken. */
const frameTextOf = (hostile: boolean) =>
  fc
    .tuple(
      fc.array(messagePairsOf(hostile), { minLength: 0, maxLength: 6 }),
      fc.array(wsOf(hostile), { minLength: 1, maxLength: 7 }),
      pick(
        hostile,
        fc.constant('none'),
        fc.constantFrom('truncate', 'truncate', 'truncate', 'object', 'scalar', 'trailing', 'bom', 'non-object', 'trailing-comma', 'two-arrays', 'nested-array'),
        2,
      ),
      fc.nat(),
    )
    .map(([messages, w, breakage, cut]) => {
      const at = (i: number) => w[i % w.length] ?? '';
      const items = messages.map((m) => objectText(m, w));
      let text = `${at(1)}[${at(2)}${items.join(`${at(3)},${at(4)}`)}${at(5)}]${at(6)}`;
      switch (breakage) {
        case 'truncate':
          text = text.slice(0, cut % Math.max(1, text.length));
          break;
        case 'object':
          text = items[0] ?? '{}';
          break;
        case 'scalar':
          text = ['null', '42', '"q"', 'true', '', ' '][cut % 6]!;
          break;
        case 'trailing':
          text += ['x', ',', ']', '[]', '\u0000', '0'][cut % 6];
          break;
        case 'bom':
          text = `\ufeff${text}`;
          break;
        case 'non-object':
          text = `[${['1', 'null', '"q"', '[]', '{}'][cut % 5]}${items.length ? `,${items.join(',')}` : ''}]`;
          break;
        case 'trailing-comma':
          text = `[${items.join(',')},]`;
          break;
        case 'two-arrays':
          text = `[${items.join(',')}][]`;
          break;
        case 'nested-array':
          text = `[[${items.join(',')}]]`;
          break;
      }
      return text;
    });

const frameText = fc.oneof(frameTextOf(false), frameTextOf(true));

describe('JSON fast path ≡ JSON.parse path (differential, ≥ 10,000 generated frames)', () => {
  it('same sink calls and stats for generated frames of every kind', () => {
    const d = differential();
    let frames = 0;
    fc.assert(
      fc.property(frameText, (text) => {
        d.check(Buffer.from(text, 'utf8'));
        frames++;
      }),
      { numRuns: 8_000, seed: 20261121 },
    );
    fc.assert(
      fc.property(frameText, (text) => {
        d.check(Buffer.from(text, 'utf8'));
        frames++;
      }),
      { numRuns: 4_000 },
    );
    expect(frames).toBeGreaterThanOrEqual(12_000);
    // the property is only worth something if both paths are exercised, and the fast one a lot
    expect(d.taken.scanned).toBeGreaterThan(frames * 0.15);
    expect(d.taken.fellBack).toBeGreaterThan(frames * 0.15);
    // ...for many different reasons
    expect(d.taken.reasons.size).toBeGreaterThanOrEqual(12);
  }, 120_000);

  it('same results for frames made only of well-formed quotes and trades (all on the fast path)', () => {
    const d = differential();
    const quote = fc
      .tuple(fc.constantFrom('SPY', 'AAPL', 'BRK.B', 'X'), numberText, numberText, sizeTextOf(false), sizeTextOf(false), timeText, fc.constantFrom('q', 't'), fc.array(validWs, { minLength: 1, maxLength: 4 }))
      .map(([s, bp, ap, bs, as, t, type, w]) => {
        const pairs: Pair[] =
          type === 'q'
            ? [['"T"', '"q"'], ['"S"', `"${s}"`], ['"bx"', '"V"'], ['"bp"', bp], ['"bs"', bs], ['"ax"', '"V"'], ['"ap"', ap], ['"as"', as], ['"t"', t], ['"c"', '["R"]'], ['"z"', '"C"']]
            : [['"T"', '"t"'], ['"S"', `"${s}"`], ['"i"', '52983525029461'], ['"x"', '"V"'], ['"p"', bp], ['"s"', bs], ['"c"', '["@"]'], ['"t"', t], ['"z"', '"C"']];
        return objectText(pairs, w);
      });
    let frames = 0;
    fc.assert(
      fc.property(fc.array(quote, { minLength: 1, maxLength: 8 }), (msgs) => {
        const frame = Buffer.from(`[${msgs.join(',')}]`);
        const before = d.taken.scanned;
        d.check(frame);
        frames++;
        expect(d.taken.scanned).toBe(before + 1);
      }),
      { numRuns: 3_000, seed: 7 },
    );
    expect(frames).toBe(3_000);
  });
});

describe('JsonQuoteScanner: when it gives up (each reason), the parser answers as JSON.parse does', () => {
  const q = '"T":"q","S":"SPY","bp":1.5,"ap":1.6,"bs":1,"as":2,"t":"2026-11-20T15:00:00.123456789Z"';
  it.each([
    ['frame is not an array', `{${q}}`],
    ['frame is not an array', ''],
    ['frame is not an array', '\ufeff[]'],
    ['message is not an object', '[1]'],
    ['message is not an object', `[{${q}},null]`],
    ['message is not an object', '[[]]'],
    ['message is not an object', '[,]'],
    ['control message', '[{"T":"success","msg":"authenticated"}]'],
    ['control message', '[{"T":"error","code":406,"msg":"connection limit exceeded"}]'],
    ['control message', '[{"T":"subscription","trades":[],"quotes":["SPY"]}]'],
    ['nested object', `[{${q},"x":{"a":1}}]`],
    ['nested object', `[{${q},"bp":{"v":1}}]`],
    ['nested array', `[{${q},"c":[["R"]]}]`],
    ['nested object', `[{${q},"c":[{}]}]`],
    ['array under a key the parser reads', `[{${q},"S":["SPY"]}]`],
    ['array under a key the parser reads', '[{"T":["q"]}]'],
    ['escape in a string', `[{${q},"z":"\\u0043"}]`],
    ['escape in a string', '[{"T":"q","S":"SP\\u0059","bp":1,"ap":2}]'],
    ['escape in a string', '[{"T":"q","b\\u0070":1}]'],
    ['non-ASCII byte', `[{${q},"z":"é"}]`],
    ['non-ASCII byte', '[{"T":"q","S":"ÄPPL","bp":1,"ap":2}]'],
    ['control character in a string', `[{${q},"z":"\t"}]`],
    ['unterminated string', '[{"T":"q'],
    ['leading zero', `[{${q},"bs":01}]`],
    ['leading zero', `[{${q},"i":-00}]`],
    ['bad number', `[{${q},"bp":1.}]`],
    ['bad number', `[{${q},"bp":-}]`],
    ['bad number', `[{${q},"bp":1e}]`],
    ['bad number', `[{${q},"bp":1e+}]`],
    ['unexpected byte where a value should be', `[{${q},"bp":.5}]`],
    ['unexpected byte where a value should be', `[{${q},"bp":+1}]`],
    ['unexpected byte where a value should be', `[{${q},"bp":NaN}]`],
    ['unexpected byte where a value should be', `[{${q},"z":}]`],
    ['bad literal', `[{${q},"bp":nul}]`],
    ['bad literal', `[{${q},"bp":tru}]`],
    ['expected a key', `[{${q},}]`],
    ['expected a key', '[{1:2}]'],
    ['expected :', `[{${q},"z"="C"}]`],
    ['expected , or } in a message', `[{${q} "z":"C"}]`],
    ['expected , or } in a message', `[{${q}`],
    ['expected , or } in a message', `[{${q},"bp":1.5x}]`],
    ['expected , or ] in an array', `[{${q},"c":["R" "I"]}]`],
    ['expected , or ] after a message', `[{${q}} {${q}}]`],
    ['expected , or ] after a message', `[{${q}}`],
    ['bytes after the array', `[{${q}}]x`],
    ['bytes after the array', `[{${q}}][]`],
    ['bytes after the array', '[]\u00a0'],
  ])('%s: %s', (reason, text) => {
    const scanner = new JsonQuoteScanner();
    const frame = Buffer.from(text);
    expect(scanner.scan(frame)).toBe(false);
    expect(scanner.reason).toBe(reason);
    expect(scanner.count).toBe(0);
    differential().check(frame);
  });

  it(`gives up on frames of more than ${MAX_FAST_MESSAGES} messages (they still parse)`, () => {
    const one = '{"T":"q","S":"SPY","bp":1,"ap":2}';
    const scanner = new JsonQuoteScanner();
    expect(scanner.scan(Buffer.from(`[${new Array(MAX_FAST_MESSAGES).fill(one).join(',')}]`))).toBe(true);
    const big = Buffer.from(`[${new Array(MAX_FAST_MESSAGES + 1).fill(one).join(',')}]`);
    expect(scanner.scan(big)).toBe(false);
    expect(scanner.reason).toBe('too many messages');
    differential().check(big);
  });

  it('reports nothing from a frame that turns out bad at its last byte', () => {
    const { parser, calls } = recorder({});
    parser.frame(Buffer.from('[{"T":"q","S":"SPY","bp":1,"ap":2},{"T":"q","S":"AMD","bp":1,"ap":2}]]'), false, 0);
    expect(calls.length).toBe(1);
    expect(calls[0]![0]).toBe('malformed');
    expect(calls[0]![1]).toContain('undecodable JSON');
    expect(parser.stats.messages).toBe(0);
  });
});

describe('JsonQuoteScanner: exact values', () => {
  const scanner = new JsonQuoteScanner();
  const bidOf = (numberText: string): unknown => {
    expect(scanner.scan(Buffer.from(`[{"T":"q","bp":${numberText}}]`))).toBe(true);
    expect(scanner.messages[0]!.kind).toBe(KIND_QUOTE);
    return scanner.messages[0]!.bp;
  };

  it.each([
    '0',
    '-0',
    '0.0',
    '-0.0',
    '-0e5',
    '581.63',
    '0.1',
    '0.2',
    '0.3',
    '87.66',
    '126.55',
    '1',
    '-1.5',
    '9007199254740991', // 2^53 − 1: the largest integer on the division path
    '9007199254740992', // 2^53: through Number()
    '9007199254740993', // rounds to 2^53 (ties to even)
    '9007199254740995',
    '900719925474099.1',
    '90071992547409.93',
    '0.0000000000000000000001', // k = 22: 10^22 is still exact
    '0.00000000000000000000001', // k = 23: through Number()
    '1.2345678901234567890123',
    '10.090000000000002',
    '123456789012345678901234567890',
    '1.7976931348623157e308',
    '1.7976931348623159e308', // rounds to Infinity
    '5e-324',
    '2.4703282292062327e-324', // below half the smallest denormal: 0
    '2.4703282292062328e-324', // just above: the smallest denormal
    '1e400',
    '-1e400',
    '1E2',
    '1e-2',
    '1.5e+3',
    '0.1e1',
    '100000000000000000000000',
    '0.000001',
    '1e21',
    '99999999999999999999.5',
  ])('%s is the double JSON.parse gives', (text) => {
    expect(Object.is(bidOf(text), JSON.parse(text))).toBe(true);
  });

  it('every price in a sweep (0 to 199,999 in steps of 7, with 0–6 decimals) equals JSON.parse', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (let k = 0; k <= 6; k++) {
      for (let m0 = 0; m0 < 200_000; m0 += 7_000) {
        const texts: string[] = [];
        for (let m = m0; m < m0 + 7_000 && m < 200_000; m += 7) texts.push((m / 10 ** k).toFixed(k));
        const frame = `[${texts.map((t) => `{"T":"q","bp":${t}}`).join(',')}]`;
        const want = JSON.parse(frame) as { bp: number }[];
        expect(scanner.scan(Buffer.from(frame))).toBe(true);
        for (let i = 0; i < texts.length; i++) {
          if (!Object.is(scanner.messages[i]!.bp, want[i]!.bp)) mismatches.push(texts[i]!);
          checked++;
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(190_000);
  });

  it('random long decimals equal JSON.parse (property)', () => {
    fc.assert(
      fc.property(numberText, (text) => {
        expect(Object.is(bidOf(text), JSON.parse(text))).toBe(true);
      }),
      { numRuns: 5_000, seed: 3 },
    );
  });

  it('duplicate keys: the last one wins, as in JSON.parse', () => {
    const { parser, calls } = recorder({});
    parser.frame(Buffer.from('[{"T":"t","S":"X","bp":1,"bp":2,"ap":3,"bs":null,"bs":4,"T":"q","S":"SPY","t":"bad","t":null}]'), false, 9);
    expect(calls).toEqual([['quote', { instrument: sim('SPY'), symbol: 'SPY', bid: 2, ask: 3, bidSize: 4, askSize: null, exchangeTime: null, receivedAt: 9 }]]);
    const d = differential();
    d.check(Buffer.from('[{"T":"q","T":7,"S":"A","bp":1,"ap":2}]'));
    d.check(Buffer.from('[{"T":7,"T":"q","S":"A","bp":1,"ap":2}]'));
    d.check(Buffer.from('[{"T":"q","S":"A","bp":1,"ap":2,"t":"2026-11-20T15:00:00Z","t":12}]'));
    d.check(Buffer.from('[{"T":"q","S":"A","bp":1,"ap":2,"t":12,"t":"2026-11-20T15:00:00Z"}]'));
  });

  it('timestamps read in place are only taken when the whole string is the timestamp', () => {
    const d = differential();
    const q = (t: string) => Buffer.from(`[{"T":"q","S":"A","bp":1,"ap":2,"t":${t}}]`);
    const cases: [string, number | null | 'malformed' | 'fallback'][] = [
      ['"2026-11-20T15:00:00.123456789Z"', Date.UTC(2026, 10, 20, 15, 0, 0, 123)],
      ['"2026-11-20T15:00:01Z"', Date.UTC(2026, 10, 20, 15, 0, 1)],
      ['"2026-11-20T15:00:01.5Z"', Date.UTC(2026, 10, 20, 15, 0, 1, 500)],
      ['"2026-11-20T15:00:01ZX"', 'malformed'], // more after the Z
      ['"2026-11-20T15:00:01.1234567891Z"', 'malformed'], // 10 fraction digits
      ['"2026-11-20T15:00:61Z"', 'malformed'],
      ['"2026-11-20T15:00:01Z', 'fallback'], // unterminated
      ['"2"26-11-20T15:00:00Z"', 'fallback'], // a quote inside: the string ends early
      ['"2026-11-20T15:00:0\\u0031Z"', 'fallback'], // an escape
      ['"2026-11-20T15:00:01Z"Z', 'fallback'],
      ['"2021-02-22T10:51:45.12345678901234-05:00"', Date.UTC(2021, 1, 22, 15, 51, 45, 123)], // 40 characters, Date.parse
      ['"2021-02-22T10:51:45.123456789012345-05:00"', 'malformed'], // 41: too long
    ];
    for (const [t, want] of cases) {
      const frame = q(t);
      const scanner = new JsonQuoteScanner();
      const scanned = scanner.scan(frame);
      expect(scanned, t).toBe(want !== 'fallback');
      if (scanned) expect(scanner.messages[0]!.time, t).toBe(want === 'malformed' ? undefined : want);
      d.check(frame);
    }
  });

  it('messages without a string "T" are reported with the same description', () => {
    const d = differential();
    for (const t of ['', '"T":null,', '"T":1.5,', '"T":true,', '"T":false,']) {
      const frame = Buffer.from(`[{${t}"S":"A"}]`);
      expect(new JsonQuoteScanner().scan(frame)).toBe(true);
      d.check(frame);
    }
  });

  it('unknown types are counted, known ignored types are not', () => {
    const d = differential();
    d.check(Buffer.from('[{"T":"b","S":"A","o":1,"c":2.5},{"T":"zz"},{"T":""},{"T":"qq"},{"T":"s","sc":"H"}]'));
    const { parser } = recorder({});
    parser.frame(Buffer.from('[{"T":"b","S":"A","o":1,"c":2.5},{"T":"zz"},{"T":""},{"T":"qq"},{"T":"s","sc":"H"}]'), false, 0);
    expect(parser.stats).toEqual({ messages: 5, ignored: 3 });
  });

  it('symbols are interned by their bytes: the same string for the same symbol, never a wrong one', () => {
    const { parser, calls } = recorder({});
    const symbols = Array.from({ length: 20_000 }, (_, i) => `S${i.toString(36).toUpperCase()}`);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < symbols.length; i += 100) {
        const batch = symbols.slice(i, i + 100);
        parser.frame(Buffer.from(JSON.stringify(batch.map((S) => ({ T: 'q', S, bp: 1, ap: 2 })))), false, 0);
      }
    }
    const got = calls.map(([, q]) => (q as { symbol: string }).symbol);
    expect(got).toEqual([...symbols, ...symbols]);
    // a hot symbol is the same string object frame after frame
    const seen: string[] = [];
    const p2 = new MarketFrameParser({ quote: (q) => seen.push(q.symbol), trade: () => {}, control: () => {}, malformed: () => {} }, { instruments: simInstruments() });
    p2.frame(Buffer.from('[{"T":"q","S":"SPY","bp":1,"ap":2}]'), false, 0);
    p2.frame(Buffer.from('[{"T":"q","S":"SPY","bp":1,"ap":2}]'), false, 0);
    expect(seen.length).toBe(2);
    expect(seen[0]).toBe(seen[1]);
  });

  it('reads plain Uint8Arrays (with an offset into their buffer) as it reads Buffers', () => {
    const text = '[{"T":"q","S":"SPY","bp":581.63,"ap":581.65,"bs":3,"as":5,"t":"2026-11-20T15:00:00.123456789Z"}]';
    const backing = new Uint8Array(text.length + 10);
    backing.set(Buffer.from(text), 7);
    const view = backing.subarray(7, 7 + text.length);
    expect(Buffer.isBuffer(view)).toBe(false);
    const scanner = new JsonQuoteScanner();
    expect(scanner.scan(view)).toBe(true);
    const fast = recorder({});
    const ref = recorder({ jsonScanner: false });
    fast.parser.frame(view, false, 1);
    ref.parser.frame(view, false, 1);
    expect(fast.calls).toEqual(ref.calls);
    expect(fast.calls[0]).toEqual(['quote', { instrument: sim('SPY'), symbol: 'SPY', bid: 581.63, ask: 581.65, bidSize: 3, askSize: 5, exchangeTime: Date.UTC(2026, 10, 20, 15, 0, 0, 123), receivedAt: 1 }]);
  });

  it('a sink that re-enters frame() while a scanned frame is being reported gets the right results', () => {
    const seen: string[] = [];
    let nested = false;
    const parser: MarketFrameParser = new MarketFrameParser({
      quote: (q) => {
        seen.push(q.symbol);
        if (!nested) {
          nested = true;
          parser.frame(Buffer.from('[{"T":"q","S":"INNER1","bp":1,"ap":2},{"T":"q","S":"INNER2","bp":1,"ap":2}]'), false, 0);
        }
      },
      trade: () => {},
      control: () => {},
      malformed: (r) => seen.push(r),
    }, { instruments: simInstruments() });
    parser.frame(Buffer.from('[{"T":"q","S":"A","bp":1,"ap":2},{"T":"q","S":"B","bp":1,"ap":2}]'), false, 0);
    expect(seen).toEqual(['A', 'INNER1', 'INNER2', 'B']);
  });
});

describe('parseRfc3339MsBytes ≡ parseRfc3339Ms', () => {
  const check = (s: string) => {
    const bytes = Buffer.from(`xx${s}yy`, 'latin1');
    const got = parseRfc3339MsBytes(bytes, 2, 2 + s.length);
    const want = parseRfc3339Ms(s);
    expect(Object.is(got, want), `${s}: ${got} vs ${want}`).toBe(true);
  };

  it('on hand-picked forms', () => {
    for (const s of [
      '2021-02-22T15:51:45.335689322Z',
      '2021-02-22T15:51:45Z',
      '2021-02-22T15:51:45.3Z',
      '2021-02-22T15:51:45.30Z',
      '2021-02-22T15:51:60Z',
      '2021-02-22T15:51:61Z',
      '2021-02-22T15:51:45.Z',
      '2021-02-22T15:51:45.1234567890Z',
      '2021-02-22T15:51:45,5Z',
      '2021-02-22T15:51:45.5-05:00',
      '2021-02-22T24:00:00Z',
      '2021-02-29T00:00:00Z',
      '2024-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
      '2021-04-31T00:00:00Z',
      '2021-00-10T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '2021-02-22T15:51:4aZ',
      '2021-02-22T15:5a:45Z',
      '2021-02-22t15:51:45Z',
      '2021-02-22T15:51:45z',
      'garbage',
      '',
    ]) {
      check(s);
      check(s); // again, now with the minute memo set
    }
  });

  it('the minute memo is keyed by every byte of "YYYY-MM-DDTHH:MM:"', () => {
    const base = '2026-11-20T15:01:02.5Z';
    for (let i = 0; i < 17; i++) {
      if ('-T:'.includes(base[i]!)) continue;
      const other = `${base.slice(0, i)}${base[i] === '0' ? '1' : '0'}${base.slice(i + 1)}`;
      check(base);
      check(other); // differs from the memo in byte i only
      check(base);
    }
  });

  it('on generated timestamps, interleaved so the memo is hit and missed', () => {
    fc.assert(
      fc.property(timeText, fc.boolean(), (quoted, twice) => {
        const s = quoted.slice(1, -1);
        check(s);
        if (twice) check(s);
      }),
      { numRuns: 5_000, seed: 11 },
    );
  });
});
