import { describe, expect, it } from 'vitest';
import { coverageParserFor, coverageSummary, type FileCoverage } from '../../../src/services/codebuild/coverage-reports.js';

const row = (f: FileCoverage) => [f.filePath, f.linesCovered, f.linesMissed, f.branchesCovered, f.branchesMissed];

describe('code coverage formats', () => {
  it('reads Cobertura, merging the classes of one file', () => {
    const xml = `<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="0.6" branch-rate="0.5" lines-covered="3" lines-valid="5" branches-covered="1" branches-valid="2" version="7.4" timestamp="1700000000">
  <sources><source>/codebuild/output/src/app</source></sources>
  <packages><package name="app" line-rate="0.6" branch-rate="0.5" complexity="0"><classes>
    <class name="calc.py" filename="app/calc.py" line-rate="0.5" branch-rate="0.5"><methods/><lines>
      <line number="1" hits="1"/><line number="2" hits="4" branch="true" condition-coverage="50% (1/2)" missing-branches="5"/><line number="3" hits="0"/>
    </lines></class>
    <class name="calc.Other" filename="app/calc.py" line-rate="1" branch-rate="1"><methods/><lines><line number="9" hits="2"/></lines></class>
    <class name="util.py" filename="app/util.py" line-rate="0" branch-rate="1"><methods/><lines><line number="1" hits="0"/></lines></class>
  </classes></package></packages>
</coverage>`;
    const files = coverageParserFor('COBERTURAXML')!(xml);
    expect(files.map(row)).toEqual([
      ['app/calc.py', 3, 1, 1, 1],
      ['app/util.py', 0, 1, 0, 0],
    ]);
    expect(coverageSummary(files)).toEqual({ lineCoveragePercentage: 60, linesCovered: 3, linesMissed: 2, branchCoveragePercentage: 50, branchesCovered: 1, branchesMissed: 1 });
  });

  it('reads JaCoCo source files with their package path', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="app"><sessioninfo id="s" start="1" dump="2"/>
  <package name="com/acme">
    <class name="com/acme/Calc" sourcefilename="Calc.java"><counter type="LINE" missed="9" covered="9"/></class>
    <sourcefile name="Calc.java"><line nr="3" mi="0" ci="3" mb="0" cb="0"/>
      <counter type="INSTRUCTION" missed="20" covered="40"/><counter type="BRANCH" missed="1" covered="3"/><counter type="LINE" missed="2" covered="6"/></sourcefile>
    <sourcefile name="Util.java"><counter type="INSTRUCTION" missed="3" covered="0"/><counter type="LINE" missed="1" covered="0"/></sourcefile>
  </package>
  <counter type="LINE" missed="3" covered="6"/>
</report>`;
    const files = coverageParserFor('JACOCOXML')!(xml);
    expect(files.map(row)).toEqual([
      ['com/acme/Calc.java', 6, 2, 3, 1],
      ['com/acme/Util.java', 0, 1, 0, 0],
    ]);
    expect(coverageSummary(files)).toMatchObject({ lineCoveragePercentage: 66.67, branchCoveragePercentage: 75 });
  });

  it('reads Clover files in packages and directly under the project', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<coverage generated="1700000000" clover="3.2.0"><project timestamp="1700000000" name="All files">
  <metrics statements="7" coveredstatements="4" conditionals="4" coveredconditionals="2" methods="2" coveredmethods="1" elements="13" coveredelements="7" complexity="0" loc="7" ncloc="7" packages="1" files="2" classes="2"/>
  <file name="index.js" path="/codebuild/output/src/index.js"><metrics statements="3" coveredstatements="3" conditionals="0" coveredconditionals="0" methods="1" coveredmethods="1"/><line num="1" count="1" type="stmt"/></file>
  <package name="lib"><metrics statements="4" coveredstatements="1" conditionals="4" coveredconditionals="2"/>
    <file name="math.js" path="/codebuild/output/src/lib/math.js"><metrics statements="4" coveredstatements="1" conditionals="4" coveredconditionals="2" methods="1" coveredmethods="0"/><line num="2" count="0" type="stmt"/></file>
  </package>
</project></coverage>`;
    expect(coverageParserFor('CLOVERXML')!(xml).map(row)).toEqual([
      ['/codebuild/output/src/index.js', 3, 0, 0, 0],
      ['/codebuild/output/src/lib/math.js', 1, 3, 2, 2],
    ]);
  });

  it('reads a SimpleCov result set (line arrays and branch maps) and simplecov-json output', () => {
    const resultset = JSON.stringify({
      RSpec: {
        coverage: {
          '/app/lib/calc.rb': { lines: [null, 1, 1, 0, null, 'ignored'], branches: { '[:if, 0, 2, 4, 2, 20]': { '[:then, 1, 2, 4, 2, 10]': 1, '[:else, 2, 2, 4, 2, 20]': 0 } } },
          '/app/lib/old.rb': [1, null, 0, 0],
        },
        timestamp: 1700000000,
      },
    });
    expect(coverageParserFor('SIMPLECOV')!(resultset).map(row)).toEqual([
      ['/app/lib/calc.rb', 2, 1, 1, 1],
      ['/app/lib/old.rb', 1, 2, 0, 0],
    ]);
    const json = JSON.stringify({ timestamp: 1700000000, command_name: 'RSpec', files: [{ filename: '/app/a.rb', covered_percent: 50, coverage: { lines: [1, 0, null] } }], metrics: { covered_percent: 50 } });
    expect(coverageParserFor('SIMPLECOV')!(json).map(row)).toEqual([['/app/a.rb', 1, 1, 0, 0]]);
  });

  it('refuses a file of another format', () => {
    expect(() => coverageParserFor('COBERTURAXML')!('<report/>')).toThrow('no coverage element');
    expect(() => coverageParserFor('JACOCOXML')!('<coverage/>')).toThrow('no report element');
    expect(() => coverageParserFor('CLOVERXML')!('<coverage><packages/></coverage>')).toThrow('no coverage/project element');
    expect(() => coverageParserFor('SIMPLECOV')!('[1,2]')).toThrow('expected an object');
    expect(() => coverageParserFor('SIMPLECOV')!('{"RSpec": {"x": 1}}')).toThrow('no coverage in result set');
    expect(() => coverageParserFor('SIMPLECOV')!('{')).toThrow('invalid SimpleCov JSON');
  });

  it('counts nothing to cover as 0 percent', () => {
    expect(coverageSummary([])).toEqual({ lineCoveragePercentage: 0, linesCovered: 0, linesMissed: 0, branchCoveragePercentage: 0, branchesCovered: 0, branchesMissed: 0 });
  });
});
