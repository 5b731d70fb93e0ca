import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { needsSession, translateCell } from './cell';
import { freeNames, pythonTokens } from './python';
import { HOSTILE, mulberry32, randomNasty } from '../testing/hostile';

/** Cells that must not start Spark, each with why. */
const QUIET: [string, string][] = [
  ['# spark.range(3)', 'a comment'],
  ['x = 1  # uses sc and display', 'a trailing comment'],
  ['print("spark")', 'a double-quoted string'],
  ["print('sc, display')", 'a single-quoted string'],
  ['s = """\nspark.range(3)\ndisplay(df)\n"""', 'a triple-quoted string'],
  ["s = '''spark\n''' + 'x'", 'a triple single-quoted string'],
  ['s = r"\\"spark\\""', 'a raw string with escaped quotes'],
  ['s = rb"spark" + Br"sc" + U"display"', 'prefixed strings'],
  ['s = f"{x} spark {y!r:>{width}} sc"', 'an f-string\u2019s text'],
  ['s = f"{{spark}}"', 'escaped braces in an f-string'],
  ['s = f"""\n{x}\nspark\n"""', 'a triple-quoted f-string'],
  ['from IPython.display import display\ndisplay(3)', 'an imported display'],
  ['import IPython.display', 'an attribute in an import'],
  ['from IPython.display import (HTML,\n    display as show)', 'imports'],
  ['import pyspark as spark\nspark.__version__', 'an import alias'],
  ['df.display()', 'an attribute'],
  ['IPython.display.display(x)', 'attributes'],
  ['plot(x, display=True)', 'a keyword argument'],
  ['f(\n    1,\n    sc=2,\n)', 'a keyword argument over lines'],
  ['sc = 3\nprint(sc)', 'an assignment before use'],
  ['spark: int = 1\nspark += 1', 'an annotated assignment'],
  ['a, sc = 1, 2\nsc', 'a tuple assignment'],
  ['def display(x):\n    return x\ndisplay(1)', 'a definition'],
  ['def f(spark, sc=1):\n    return spark + sc', 'parameters'],
  ['for sc in range(3):\n    print(sc)', 'a loop variable'],
  ['with open("f") as display:\n    display.read()', 'a with target'],
  ['g = lambda sc: sc + 1', 'lambda parameters'],
  ['!echo spark sc display', 'a shell line'],
  ['%pip install display-utils', 'a line magic'],
  ['%%bash\necho spark', 'a non-Python cell magic'],
  ['%%html\n<p>display</p>', 'an HTML cell'],
  ['x = "unterminated spark', 'an unterminated string'],
  ['x = 1_000 + 0x1f  # sc', 'numbers and a comment'],
  ['class spark:\n    pass', 'a class'],
  ['if (n := 3) > 2: print(n)', 'a walrus binding']
];

/** Cells that must start Spark. */
const USES: [string, string][] = [
  ['df = spark.range(3)', 'spark'],
  ['sc.parallelize([1])', 'sc'],
  ['display(df)', 'display'],
  ['displayHTML("<b>x</b>")', 'displayHTML'],
  ['dbutils.widgets.get("x")', 'dbutils'],
  ['getArgument("x")', 'getArgument'],
  ['_sqldf.show()', '_sqldf'],
  ['print(f"{spark.version}")', 'spark in an f-string field'],
  ['print(f"{x:{sc.defaultParallelism}}")', 'sc in a nested format spec'],
  ['print(f\'{"a" + spark.version!r}\')', 'a string inside an f-field'],
  ['x = "# not a comment"; spark.stop()', 'code after a # in a string'],
  ['s = """spark""" ; display(s)', 'code after a triple-quoted string'],
  ['if ready: spark.stop()', 'after a compound header'],
  ['spark = spark.newSession()', 'read before it is rebound'],
  [
    'from IPython.display import HTML\ndisplay(HTML("x"))',
    'display not imported'
  ],
  ['%time spark.range(10).count()', 'a %time line'],
  ['%%time\nspark.range(10).count()', 'a %%time cell'],
  ['f(x=spark)', 'a keyword argument\u2019s value'],
  ['{spark: 1}', 'a dict key'],
  ['x = [display(r) for r in rows]', 'a comprehension'],
  ['@display\ndef f(): pass', 'a decorator'],
  ['def f(df=spark.range(1)):\n    pass', 'a default value'],
  [
    'x = (\n  1 +  # sc\n  sc.defaultParallelism\n)',
    'a bracketed continuation'
  ],
  ['y = 1 \\\n    + sc.defaultParallelism', 'a backslash continuation'],
  ['print("\\"");display(1)', 'an escaped quote'],
  ['%python\nspark.range(1)', 'a %python cell']
];

describe('needsSession: the auto-start heuristic', () => {
  for (const [source, why] of QUIET) {
    it(`does not start Spark for ${why}`, () => {
      assert.equal(needsSession(source), false, source);
      assert.equal(translateCell(source).needsSpark, false, source);
    });
  }
  for (const [source, why] of USES) {
    it(`starts Spark for ${why}`, () => {
      assert.equal(translateCell(source).needsSpark, true, source);
    });
  }

  it('never throws and ends on hostile and random text', () => {
    const random = mulberry32(11);
    const inputs = [
      ...HOSTILE,
      ...Array.from({ length: 300 }, () => randomNasty(random)),
      'f"{',
      'f"{x!',
      'f"{x:',
      "'''",
      'rb',
      '\\',
      '%%',
      '%',
      '!',
      ')))((('
    ];
    for (const source of inputs) {
      assert.equal(typeof needsSession(source), 'boolean');
      assert.equal(typeof needsSession('spark\n' + source), 'boolean');
    }
  });

  it('tokenizes code, not strings or comments', () => {
    assert.deepEqual(pythonTokens('a = f"x{b!r}" # c\nd'), [
      'a',
      '=',
      '(',
      'b',
      ')',
      '\\n',
      'd'
    ]);
    assert.deepEqual(
      [...freeNames('import os\nos.path.join(x, y=z)')],
      ['x', 'z']
    );
  });
});
