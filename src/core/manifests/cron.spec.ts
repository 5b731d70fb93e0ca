import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quartzToCron, validateCron, validateTimeZone } from './cron';

describe('validateCron', () => {
  const valid = [
    '* * * * *',
    '0 0 * * *',
    '*/15 * * * *',
    '0 9-17/2 * * MON-FRI',
    '0,30 6 1,15 JAN,jul *',
    '5 4 * * sun',
    '0 0 ? * 1',
    '0 0 1 */3 ?',
    '7/10 * * * *',
    '@daily',
    '@Hourly',
    '@annually',
    '  0   0 * * *  '
  ];
  for (const expr of valid) {
    it(`accepts ${JSON.stringify(expr)}`, () => {
      assert.equal(validateCron(expr), null);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ['', /empty/],
    ['* * * *', /5 fields .* has 4/],
    ['0 0 12 * * ?', /has 6\. This looks like a Quartz/],
    ['60 * * * *', /minute field "60": 60 is outside 0–59/],
    ['0 24 * * *', /hour field "24": 24 is outside 0–23/],
    ['0 0 0 * *', /day-of-month field "0": 0 is outside 1–31/],
    ['0 0 1 13 *', /month field "13"/],
    ['0 0 * * 7', /day-of-week field "7": 7 is outside 0–6 \(0 = Sunday\)/],
    [
      '0 0 * FOO *',
      /month field "FOO": "FOO" is not a number between 1 and 12, or a name such as JAN/
    ],
    ['0 0 * * MON-XYZ', /day-of-week field "MON-XYZ"/],
    ['*/0 * * * *', /step "0"/],
    ['5-1 * * * *', /runs backwards/],
    ['1,,2 * * * *', /empty list item/],
    ['? * * * *', /only day-of-month and day-of-week/],
    ['1-2-3 * * * *', /malformed range/],
    ['@every 5m', /Unknown schedule shorthand/],
    ['CRON_TZ=UTC 0 0 * * *', /time zone setting/],
    ['0 0 L * *', /day-of-month field "L"/]
  ];
  for (const [expr, pattern] of invalid) {
    it(`rejects ${JSON.stringify(expr)}`, () => {
      assert.match(validateCron(expr) || '', pattern);
    });
  }
});

describe('quartzToCron', () => {
  const conversions: Array<[string, string]> = [
    ['0 0 12 * * ?', '0 12 * * *'],
    ['0 15 10 ? * *', '15 10 * * *'],
    ['0 0/5 14 * * ?', '0/5 14 * * *'],
    ['0 0 12 ? * 1', '0 12 * * 0'],
    ['0 0 12 ? * 7', '0 12 * * 6'],
    ['0 0 12 ? * 2-6', '0 12 * * 1-5'],
    ['0 0 12 ? * 1,4,7', '0 12 * * 0,3,6'],
    ['0 0 12 ? * MON-FRI', '0 12 * * MON-FRI'],
    ['0 0 12 ? * mon,WED', '0 12 * * mon,WED'],
    ['0 0 12 ? * 2/2', '0 12 * * 1/2'],
    ['0 0 12 ? * */2', '0 12 * * */2'],
    ['0 30 6 1 * ?', '30 6 1 * *'],
    ['0 30 6 1,15 JAN-JUN ?', '30 6 1,15 JAN-JUN *'],
    ['0 0 0 * * ? *', '0 0 * * *'],
    ['00 10 8 ? * SUN *', '10 8 * * SUN'],
    ['0 0 9-17 ? * 2-6', '0 9-17 * * 1-5'],
    ['  0  0  12  *  *  ?  ', '0 12 * * *'],
    ['0 0 12 ? JUL *', '0 12 * JUL *'],
    ['0 30 6 ? * MON-FRI', '30 6 * * MON-FRI'],
    ['0 0 0 ? * 1,7', '0 0 * * 0,6'],
    ['0 0 0 ? * 1-7', '0 0 * * 0-6'],
    ['0 0 0 ? * 1-7/2', '0 0 * * 0-6/2'],
    ['0 0 8 ? * 2,4-6', '0 8 * * 1,3-5'],
    ['0 0 8 ? * sun-tue', '0 8 * * sun-tue'],
    ['0 0 12 * * ?', '0 12 * * *'],
    ['0 0 12 ? * ?', '0 12 * * *'],
    ['0 */10 * * * ?', '*/10 * * * *'],
    ['0 0 0/6 * * ?', '0 0/6 * * *'],
    ['0 0 12 1/5 * ?', '0 12 1/5 * *'],
    // Quartz ranges wrap around; cron's may not run backwards.
    ['0 0 22-2 * * ?', '0 22-23,0-2 * * *'],
    ['0 50-10 * * * ?', '50-59,0-10 * * * *'],
    ['0 0 9 ? * FRI-MON', '0 9 * * FRI-SAT,SUN-MON'],
    ['0 0 9 ? * 6-2', '0 9 * * 5-6,0-1'],
    ['0 0 9 ? * 7-1', '0 9 * * 6,0'],
    ['0 0 9 ? NOV-FEB *', '0 9 * NOV-DEC,JAN-FEB *'],
    ['0 0 9 30-2 * ?', '0 9 30-31,1-2 * *'],
    ['0 0 22-4/2 * * ?', '0 22,0,2,4 * * *']
  ];
  for (const [quartz, cron] of conversions) {
    it(`${quartz} → ${cron}`, () => {
      assert.deepEqual(quartzToCron(quartz), { cron });
      assert.equal(validateCron(cron), null);
    });
  }

  const rejections: Array<[string, RegExp]> = [
    [
      '*/30 * * * * ?',
      /seconds field is "\*\/30": sub-minute schedules are not supported/
    ],
    ['30 0 12 * * ?', /sub-minute schedules are not supported/],
    [
      '0 0 12 L * ?',
      /day-of-month field "L" uses 'L' \(the last day of the month\)/
    ],
    [
      '0 0 12 LW * ?',
      /'L' \(the last day of the month\) and 'W' \(the nearest weekday\)/
    ],
    ['0 0 12 L-3 * ?', /day-of-month field "L-3" uses 'L'/],
    [
      '0 15 10 ? * 6L',
      /day-of-week field "6L" uses 'L' \(the last such weekday/
    ],
    ['0 0 12 ? * 2#1', /day-of-week field "2#1" uses '#'/],
    ['0 0 12 ? * L', /day-of-week field "L" uses 'L'/],
    ['0 0/30 * * * ? 2027', /year field is "2027": cron has no year field/],
    ['0 0 12 * * ? 2025-2030', /year field is "2025-2030"/],
    ['0/30 * * * * ?', /seconds field is "0\/30": sub-minute/],
    ['* * * * * ?', /seconds field is "\*": sub-minute/],
    ['0 0 12 ? * 1-8', /8 is outside 1–7/],
    ['0 0 12 ? 13 *', /month field "13"/],
    ['0 0 12 ? * MON-XYZ', /day-of-week field "MON-XYZ"/],
    ['0 0 12 15W * ?', /day-of-month field "15W" uses 'W'/],
    ['0 0 12 ? * 6L', /day-of-week field "6L" uses 'L'/],
    ['0 0 12 ? * 6#3', /day-of-week field "6#3" uses '#'/],
    ['0 0 12 ? * FRI#1', /'#'/],
    [
      '0 0 12 * * ? 2025',
      /year field is "2025": cron has no year field; only "\*"/
    ],
    ['0 0 12 * *', /6 or 7 fields .* has 5/],
    ['0 0 12 * * ? * *', /has 8/],
    ['0 0 12 ? * 0', /0 is outside 1–7 \(Quartz counts 1 = Sunday\)/],
    ['0 0 12 ? * 8', /8 is outside 1–7/],
    ['0 0 12 1 * 2', /Both day-of-month "1" and day-of-week "2" are set/],
    ['0 61 12 * * ?', /minute field "61"/],
    ['', /has 0/]
  ];
  for (const [quartz, pattern] of rejections) {
    it(`rejects ${JSON.stringify(quartz)}`, () => {
      const result = quartzToCron(quartz);
      assert.ok('error' in result, JSON.stringify(result));
      assert.match(result.error, pattern);
    });
  }

  it('does not mistake month and day names for L or W', () => {
    assert.deepEqual(quartzToCron('0 0 12 ? JUL WED'), {
      cron: '0 12 * JUL WED'
    });
  });
});

describe('validateTimeZone', () => {
  it('accepts IANA-looking names', () => {
    for (const zone of [
      'UTC',
      'Europe/Paris',
      'America/New_York',
      'America/Argentina/Buenos_Aires',
      'Etc/GMT+5',
      'America/Port-au-Prince'
    ]) {
      assert.equal(validateTimeZone(zone), null, zone);
    }
  });

  it('rejects abbreviations, offsets, paths and blanks', () => {
    for (const zone of [
      '',
      'Paris',
      'CET ',
      '+02:00',
      '../etc/passwd',
      'Europe/',
      'Local',
      'europe/paris'
    ]) {
      assert.match(validateTimeZone(zone) || '', /not an IANA zone name/, zone);
    }
  });
});
