/** The result grid's model: cell text, filters, sorting, CSV and chart specs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cellText,
  chartSpec,
  ITable,
  matches,
  parseType,
  toCsv,
  viewRows
} from './model';

const table: ITable = {
  version: 1,
  schema: {
    fields: [
      { name: 'city', type: 'string', kind: 'string' },
      { name: 'amount', type: 'decimal(10,2)', kind: 'decimal' },
      { name: 'n', type: 'int', kind: 'number' },
      {
        name: 'place',
        type: 'struct<zip:int,tags:map<string,int>>',
        kind: 'struct'
      }
    ]
  },
  rows: [
    ['Oslo', '10.50', 3, { zip: 1234, tags: [['a', 1]] }],
    ['null', null, 11, null],
    [null, '2.00', null, { zip: 5, tags: [] }],
    ['Bergen, "west"', '100.00', 2, { zip: 5020, tags: [['b', null]] }]
  ],
  limit: 1000,
  more: false
};

describe('result grid model', () => {
  it('shows NULL apart from the string "null" and nested values as structures', () => {
    assert.equal(cellText(null, 'string'), 'NULL');
    assert.equal(cellText('null', 'string'), 'null');
    assert.equal(
      cellText({ zip: 1234, tags: [['a', 1]] }, 'struct'),
      '{zip: 1234, tags: [[a, 1]]}'
    );
    assert.equal(
      cellText(
        [
          ['a', 1],
          ['b', null]
        ],
        'map'
      ),
      '{a → 1, b → NULL}'
    );
    assert.equal(cellText('cafe', 'binary'), '0xcafe');
    assert.equal(
      cellText('2024-03-01T12:00:00+01:00', 'timestamp'),
      '2024-03-01 12:00:00+01:00'
    );
  });

  it('filters per column: text, comparisons, NULL', () => {
    assert.deepEqual(viewRows(table, ['N', '', '', ''], null), [1, 3]);
    assert.deepEqual(viewRows(table, ['NULL', '', '', ''], null), [2]);
    assert.deepEqual(viewRows(table, ['null', '', '', ''], null), [1]);
    assert.deepEqual(viewRows(table, ['', '>= 10.5', '', ''], null), [0, 3]);
    assert.deepEqual(viewRows(table, ['', '', '< 5', ''], null), [0, 3]);
    assert.equal(matches(null, 'number', '> 1'), false);
  });

  it('sorts numbers as numbers and decimals exactly, NULLs last both ways', () => {
    const asc = viewRows(table, ['', '', '', ''], {
      column: 1,
      direction: 'ascending'
    });
    assert.deepEqual(asc, [2, 0, 3, 1]);
    const desc = viewRows(table, ['', '', '', ''], {
      column: 2,
      direction: 'descending'
    });
    assert.deepEqual(desc, [1, 0, 3, 2]);
  });

  it('writes the shown rows as CSV with quoting and empty NULLs', () => {
    assert.equal(
      toCsv(table, [3, 2]),
      'city,amount,n,place\r\n' +
        '"Bergen, ""west""",100.00,2,"{""zip"":5020,""tags"":[[""b"",null]]}"\r\n' +
        ',2.00,,"{""zip"":5,""tags"":[]}"\r\n'
    );
  });

  it('parses nested Spark types, commas inside decimals included', () => {
    const t = parseType('struct<a:decimal(10,2),m:map<string,array<int>>>');
    assert.equal(t.kind, 'struct');
    assert.deepEqual(
      t.fields?.map(([n, f]) => [n, f.kind, f.type]),
      [
        ['a', 'scalar', 'decimal(10,2)'],
        ['m', 'map', 'map<string,array<int>>']
      ]
    );
    assert.equal(t.fields?.[1][1].value?.element?.type, 'int');
  });

  it('makes a self-contained Vega-Lite spec, field names with dots escaped', () => {
    const dotted: ITable = {
      ...table,
      schema: {
        fields: [
          { name: 'a.b', type: 'string', kind: 'string' },
          { name: 'v', type: 'decimal(10,2)', kind: 'decimal' }
        ]
      },
      rows: [
        ['x', '1.50'],
        ['y', null]
      ]
    };
    const spec = chartSpec(
      dotted,
      [0, 1],
      { type: 'bar', x: 'a.b', y: 'v', group: null, aggregate: 'sum' },
      560
    ) as any;
    assert.deepEqual(spec.data.values, [
      { 'a.b': 'x', v: 1.5 },
      { 'a.b': 'y', v: null }
    ]);
    assert.equal(spec.encoding.x.field, 'a\\.b');
    assert.equal(spec.encoding.y.aggregate, 'sum');
    assert.equal(spec.mark.type, 'bar');
    assert.equal(spec.width, 560);
    const pie = chartSpec(dotted, [0], {
      type: 'pie',
      x: 'a.b',
      y: 'v',
      group: null,
      aggregate: 'sum'
    }) as any;
    assert.equal(pie.mark.type, 'arc');
    assert.equal(pie.encoding.theta.field, 'v');
  });
});
