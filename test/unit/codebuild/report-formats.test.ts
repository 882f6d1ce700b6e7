import { describe, expect, it } from 'vitest';
import { parserFor } from '../../../src/services/codebuild/test-reports.js';

const row = (c: { prefix: string; name: string; status: string; durationInNanoSeconds: number; message?: string; testSuiteName: string }) => [c.testSuiteName, c.prefix, c.name, c.status, c.durationInNanoSeconds, c.message];

describe('test report formats', () => {
  it('reads NUnit 3', () => {
    const xml = `<test-run><test-suite type="Assembly" name="App.Tests.dll"><test-suite type="TestFixture" name="MathTests" fullname="App.Tests.MathTests">
      <test-case name="Adds" fullname="App.Tests.MathTests.Adds" classname="App.Tests.MathTests" result="Passed" duration="0.25"/>
      <test-case name="Divides" fullname="App.Tests.MathTests.Divides" classname="App.Tests.MathTests" result="Failed" duration="0.5"><failure><message>Expected 2</message><stack-trace>at Divides()</stack-trace></failure></test-case>
      <test-case name="Later" fullname="App.Tests.MathTests.Later" classname="App.Tests.MathTests" result="Skipped"><reason><message>not yet</message></reason></test-case>
    </test-suite></test-suite></test-run>`;
    expect(parserFor('NUNIT3XML')!(xml).map(row)).toEqual([
      ['MathTests', 'App.Tests.MathTests', 'Adds', 'SUCCEEDED', 250_000_000, undefined],
      ['MathTests', 'App.Tests.MathTests', 'Divides', 'FAILED', 500_000_000, 'Expected 2\nat Divides()'],
      ['MathTests', 'App.Tests.MathTests', 'Later', 'SKIPPED', 0, 'not yet'],
    ]);
  });

  it('reads NUnit 2', () => {
    const xml = `<test-results><test-suite name="App.Tests"><results><test-suite name="MathTests"><results>
      <test-case name="App.Tests.MathTests.Adds" executed="True" result="Success" success="True" time="0.010"/>
      <test-case name="App.Tests.MathTests.Fails" executed="True" result="Failure" success="False" time="0.020"><failure><message>boom</message></failure></test-case>
      <test-case name="App.Tests.MathTests.Ignored" executed="False" result="Ignored"/>
    </results></test-suite></results></test-suite></test-results>`;
    expect(parserFor('NUNITXML')!(xml).map(row)).toEqual([
      ['MathTests', 'App.Tests.MathTests', 'Adds', 'SUCCEEDED', 10_000_000, undefined],
      ['MathTests', 'App.Tests.MathTests', 'Fails', 'FAILED', 20_000_000, 'boom'],
      ['MathTests', 'App.Tests.MathTests', 'Ignored', 'SKIPPED', 0, undefined],
    ]);
  });

  it('reads TestNG, leaving out configuration methods', () => {
    const xml = `<testng-results><suite name="Suite"><test name="Unit"><class name="com.acme.MathTest">
      <test-method status="PASS" name="setUp" is-config="true" duration-ms="1"/>
      <test-method status="PASS" name="adds" duration-ms="12"/>
      <test-method status="FAIL" name="divides" duration-ms="3"><exception class="java.lang.AssertionError"><message><![CDATA[expected [2] but found [3]]]></message></exception></test-method>
      <test-method status="SKIP" name="later" duration-ms="0"/>
    </class></test></suite></testng-results>`;
    expect(parserFor('TESTNGXML')!(xml).map(row)).toEqual([
      ['Unit', 'com.acme.MathTest', 'adds', 'SUCCEEDED', 12_000_000, undefined],
      ['Unit', 'com.acme.MathTest', 'divides', 'FAILED', 3_000_000, 'expected [2] but found [3]'],
      ['Unit', 'com.acme.MathTest', 'later', 'SKIPPED', 0, undefined],
    ]);
  });

  it('reads Visual Studio TRX', () => {
    const xml = `<TestRun><Results>
      <UnitTestResult testId="a" testName="Adds" outcome="Passed" duration="00:00:01.5000000"/>
      <UnitTestResult testId="b" testName="Fails" outcome="Failed" duration="00:00:00.0100000"><Output><ErrorInfo><Message>Assert.AreEqual failed</Message><StackTrace>at Fails()</StackTrace></ErrorInfo></Output></UnitTestResult>
      <UnitTestResult testId="c" testName="Skipped" outcome="NotExecuted"/>
    </Results><TestDefinitions><UnitTest id="a"><TestMethod className="App.MathTests" name="Adds"/></UnitTest><UnitTest id="b"><TestMethod className="App.MathTests" name="Fails"/></UnitTest></TestDefinitions></TestRun>`;
    expect(parserFor('VISUALSTUDIOTRX')!(xml).map(row)).toEqual([
      ['', 'App.MathTests', 'Adds', 'SUCCEEDED', 1_500_000_000, undefined],
      ['', 'App.MathTests', 'Fails', 'FAILED', 10_000_000, 'Assert.AreEqual failed\nat Fails()'],
      ['', '', 'Skipped', 'SKIPPED', 0, undefined],
    ]);
  });

  it('refuses a file of another format, and reads no test cases from coverage formats', () => {
    expect(() => parserFor('TESTNGXML')!('<testsuites/>')).toThrow('no testng-results element');
    expect(() => parserFor('NUNIT3XML')!('<testsuites/>')).toThrow('no test-run or test-results element');
    expect(parserFor('COBERTURAXML')).toBeUndefined();
  });
});
