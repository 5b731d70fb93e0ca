/**
 * Five-field cron schedules as the kubeflow operator parses them
 * (robfig/cron `ParseStandard`), and conversion from Databricks' Quartz cron.
 */

interface IField {
  name: string;
  min: number;
  max: number;
  names?: string[];
  hint?: string;
}

const FIELDS: IField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: [
      'JAN',
      'FEB',
      'MAR',
      'APR',
      'MAY',
      'JUN',
      'JUL',
      'AUG',
      'SEP',
      'OCT',
      'NOV',
      'DEC'
    ]
  },
  {
    name: 'day-of-week',
    min: 0,
    max: 6,
    names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
    hint: ' (0 = Sunday)'
  }
];

/** The `@` shorthands a schedule may use. */
export const CRON_DESCRIPTORS = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly'
];

/**
 * Checks a 5-field cron schedule (ranges, steps, lists, `JAN`/`MON` names,
 * `@daily` …); returns a problem naming the bad field, or null.
 */
export function validateCron(expr: string): string | null {
  const text = typeof expr === 'string' ? expr.trim() : '';
  if (!text) {
    return 'The schedule is empty.';
  }
  if (/^(CRON_)?TZ=/.test(text)) {
    return 'Put the time zone in the time zone setting, not in the schedule.';
  }
  if (text.startsWith('@')) {
    if (CRON_DESCRIPTORS.indexOf(text.toLowerCase()) >= 0) {
      return null;
    }
    return `Unknown schedule shorthand "${text}"; use one of ${CRON_DESCRIPTORS.join(', ')} or 5 fields.`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    const quartz =
      fields.length === 6 || fields.length === 7
        ? ' This looks like a Quartz (Databricks) schedule; convert it first.'
        : '';
    return `A schedule has 5 fields (minute hour day-of-month month day-of-week); "${text}" has ${fields.length}.${quartz}`;
  }
  for (let i = 0; i < 5; i++) {
    const problem = checkField(fields[i], FIELDS[i]);
    if (problem) {
      return problem;
    }
  }
  return null;
}

function checkField(text: string, field: IField): string | null {
  const where = `${field.name} field "${text}"`;
  for (const part of text.split(',')) {
    if (!part) {
      return `The ${where} has an empty list item.`;
    }
    const slash = part.split('/');
    if (slash.length > 2) {
      return `The ${where} has more than one '/'.`;
    }
    const [base, step] = slash;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) < 1) {
        return `The ${where} has step "${step}"; a step is a whole number of at least 1.`;
      }
    }
    if (base === '*' || base === '?') {
      if (
        base === '?' &&
        field.name !== 'day-of-month' &&
        field.name !== 'day-of-week'
      ) {
        return `The ${where} uses '?', which only day-of-month and day-of-week allow.`;
      }
      continue;
    }
    const ends = base.split('-');
    if (ends.length > 2 || ends.some(end => end === '')) {
      return `The ${where} has a malformed range "${base}".`;
    }
    const values: number[] = [];
    for (const end of ends) {
      const value = fieldValue(end, field);
      if (typeof value === 'string') {
        return `The ${where}: ${value}`;
      }
      values.push(value);
    }
    if (values.length === 2 && values[0] > values[1]) {
      return `The ${where} has a range "${base}" that runs backwards.`;
    }
  }
  return null;
}

function fieldValue(text: string, field: IField): number | string {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < field.min || n > field.max) {
      return `${text} is outside ${field.min}–${field.max}${field.hint || ''}.`;
    }
    return n;
  }
  const index = field.names ? field.names.indexOf(text.toUpperCase()) : -1;
  if (index < 0) {
    const names = field.names ? `, or a name such as ${field.names[0]}` : '';
    return `"${text}" is not a number between ${field.min} and ${field.max}${names}.`;
  }
  return index + field.min;
}

/**
 * Converts a Databricks Quartz schedule (`sec min hour dom month dow [year]`)
 * to a 5-field cron: drops a zero seconds field, `?` → `*`, day-of-week 1–7
 * (1 = Sunday) → 0–6 (names kept), wrap-around ranges (`22-2`, `FRI-MON`)
 * split; rejects what cron cannot express (`L`, `W`, `#`, sub-minute
 * seconds, a year), naming the field.
 */
export function quartzToCron(
  expr: string
): { cron: string } | { error: string } {
  const text = typeof expr === 'string' ? expr.trim() : '';
  const fields = text ? text.split(/\s+/) : [];
  if (fields.length !== 6 && fields.length !== 7) {
    return {
      error: `A Quartz schedule has 6 or 7 fields (second minute hour day-of-month month day-of-week [year]); "${text}" has ${fields.length}.`
    };
  }
  const [sec, min, hour, dom, month, dow, year] = fields;
  if (!/^0+$/.test(sec)) {
    return {
      error: `The seconds field is "${sec}": sub-minute schedules are not supported (cron runs at most once a minute); use 0.`
    };
  }
  if (year !== undefined && year !== '*') {
    return {
      error: `The year field is "${year}": cron has no year field; only "*" (every year) converts.`
    };
  }
  const special =
    quartzSpecial('minute', min, min) ||
    quartzSpecial('hour', hour, hour) ||
    quartzSpecial('day-of-month', dom, dom) ||
    quartzSpecial('month', month, month.replace(MONTH_NAMES, 'x')) ||
    quartzSpecial('day-of-week', dow, dow.replace(DAY_NAMES, 'x'));
  if (special) {
    return { error: special };
  }
  const restricted = (f: string) => f !== '*' && f !== '?';
  if (restricted(dom) && restricted(dow)) {
    return {
      error: `Both day-of-month "${dom}" and day-of-week "${dow}" are set; Quartz needs '?' in one of them, and cron would run on either.`
    };
  }
  const weekday = convertDayOfWeek(dow);
  if ('error' in weekday) {
    return weekday;
  }
  const cron = [
    unwrapRanges(min, QUARTZ_RANGES.minute),
    unwrapRanges(hour, QUARTZ_RANGES.hour),
    dom === '?' ? '*' : unwrapRanges(dom, QUARTZ_RANGES.dom),
    unwrapRanges(month, QUARTZ_RANGES.month),
    weekday.value
  ].join(' ');
  const problem = validateCron(cron);
  if (problem) {
    return {
      error: `Converted "${text}" to "${cron}", which is not valid: ${problem}`
    };
  }
  return { cron };
}

const MONTH_NAMES = /JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC/gi;
const DAY_NAMES = /SUN|MON|TUE|WED|THU|FRI|SAT/gi;

/** A Quartz field's bounds (day-of-week counts 1 = Sunday … 7 = Saturday). */
interface IQuartzRange {
  min: number;
  max: number;
  names?: string[];
}

const QUARTZ_RANGES: Record<
  'minute' | 'hour' | 'dom' | 'month' | 'dow',
  IQuartzRange
> = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dom: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: FIELDS[3].names },
  dow: { min: 1, max: 7, names: FIELDS[4].names }
};

function quartzValue(text: string, range: IQuartzRange): number | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= range.min && n <= range.max ? n : null;
  }
  const index = range.names ? range.names.indexOf(text.toUpperCase()) : -1;
  return index < 0 ? null : index + range.min;
}

/**
 * Quartz ranges may wrap around (`22-2` is 22, 23, 0, 1, 2; `FRI-MON`);
 * cron's run backwards and are invalid, so split them (a stepped one into
 * its values). Anything else is left for validation to report.
 */
function unwrapRanges(text: string, range: IQuartzRange): string {
  return text
    .split(',')
    .map(item => {
      const [base, step, extra] = item.split('/');
      const ends = base.split('-');
      if (extra !== undefined || ends.length !== 2) {
        return item;
      }
      const from = quartzValue(ends[0], range);
      const to = quartzValue(ends[1], range);
      if (from === null || to === null || from <= to) {
        return item;
      }
      const size = range.max - range.min + 1;
      if (step === undefined) {
        const named = range.names && !/^\d+$/.test(ends[0]);
        const label = (n: number) =>
          named && range.names ? range.names[n - range.min] : String(n);
        const first =
          from === range.max ? ends[0] : `${ends[0]}-${label(range.max)}`;
        const second =
          to === range.min ? ends[1] : `${label(range.min)}-${ends[1]}`;
        return `${first},${second}`;
      }
      if (!/^\d+$/.test(step) || Number(step) < 1) {
        return item;
      }
      const values: number[] = [];
      for (let v = from; v <= to + size; v += Number(step)) {
        values.push(v > range.max ? v - size : v);
      }
      return values.join(',');
    })
    .join(',');
}

function quartzSpecial(
  name: string,
  text: string,
  masked: string
): string | null {
  const found: string[] = [];
  if (masked.indexOf('#') >= 0) {
    found.push("'#' (the nth weekday of the month)");
  }
  if (/L/i.test(masked)) {
    found.push(
      name === 'day-of-week'
        ? "'L' (the last such weekday of the month)"
        : "'L' (the last day of the month)"
    );
  }
  if (/W/i.test(masked)) {
    found.push("'W' (the nearest weekday)");
  }
  if (!found.length) {
    return null;
  }
  return `The ${name} field "${text}" uses ${found.join(' and ')}, which cron cannot express.`;
}

function convertDayOfWeek(dow: string): { value: string } | { error: string } {
  if (dow === '?' || dow === '*') {
    return { value: '*' };
  }
  for (const item of dow.split(',')) {
    for (const end of item.split('/')[0].split('-')) {
      if (/^\d+$/.test(end) && (Number(end) < 1 || Number(end) > 7)) {
        return {
          error: `The day-of-week field "${dow}": ${end} is outside 1–7 (Quartz counts 1 = Sunday).`
        };
      }
    }
  }
  const items: string[] = [];
  for (const item of unwrapRanges(dow, QUARTZ_RANGES.dow).split(',')) {
    const [base, step] = item.split('/');
    let converted = '*';
    if (base !== '*' && base !== '?') {
      converted = base
        .split('-')
        .map(end => (/^\d+$/.test(end) ? String(Number(end) - 1) : end))
        .join('-');
    }
    items.push(step === undefined ? converted : `${converted}/${step}`);
  }
  return { value: items.join(',') };
}

/** Checks that a time zone looks like an IANA name (`Europe/Paris`, `UTC`); returns a problem or null. */
export function validateTimeZone(zone: string): string | null {
  if (
    typeof zone === 'string' &&
    (/^(UTC|GMT)$/.test(zone) ||
      /^[A-Z][A-Za-z_-]*(\/[A-Za-z0-9][A-Za-z0-9_+-]*){1,2}$/.test(zone))
  ) {
    return null;
  }
  return `time zone ${JSON.stringify(String(zone))} is not an IANA zone name such as Europe/Paris, America/New_York or UTC.`;
}
