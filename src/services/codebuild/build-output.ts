import type { BuildArtifacts, PhaseContext, ProjectArtifacts } from '../../aws/models/generated/codebuild.js';
import { ArtifactError, artifactKey, collectArtifactFiles, uploadArtifact } from './artifacts.js';
import type { BuildRun } from './build-context.js';
import type { ArtifactSpec } from './buildspec.js';
import { cacheEnabled, saveCache } from './cache.js';

async function artifactName(run: BuildRun, config: ProjectArtifacts, spec: ArtifactSpec): Promise<string> {
  const b = run.tracker.build;
  // The buildspec's name applies only when the project lets it (overrideArtifactName), as on AWS.
  if (config.overrideArtifactName && spec.name) {
    const evaluated = spec.name.includes('$') || spec.name.includes('`') ? await run.shell!.evaluate(spec.name) : spec.name;
    if (evaluated) return evaluated;
  }
  return config.name || b.projectName;
}

async function uploadOne(run: BuildRun, config: ProjectArtifacts, spec: ArtifactSpec): Promise<BuildArtifacts> {
  const files = collectArtifactFiles(run.srcHost, spec, (l) => run.log.agent(l), run.ws.hostRoot);
  const key = artifactKey(config, await artifactName(run, config, spec), run.tracker.build.uuid, spec.s3Prefix);
  return uploadArtifact({ aws: run.d.aws, scope: run.scope }, config, key, files, spec.enableSymlinks);
}

/** UPLOAD_ARTIFACTS: the primary and secondary artifacts; the failure context if one cannot be uploaded. */
export async function uploadArtifacts(run: BuildRun): Promise<PhaseContext | undefined> {
  const b = run.tracker.build;
  const spec = run.spec?.artifacts;
  try {
    if (b.artifacts.type === 'S3' && spec) {
      const out = await uploadOne(run, b.artifacts, spec);
      run.tracker.update((r) => (r.artifactsOut = out));
    }
    const secondaryOut: BuildArtifacts[] = [];
    for (const config of b.secondaryArtifacts) {
      const id = config.artifactIdentifier!;
      const sec = spec?.secondary[id];
      if (!sec) throw new ArtifactError(`no definition for secondary artifact ${id} in buildspec`);
      if (config.type === 'S3') secondaryOut.push(await uploadOne(run, config, sec));
    }
    if (secondaryOut.length) run.tracker.update((r) => (r.secondaryArtifactsOut = secondaryOut));
  } catch (e) {
    if (e instanceof ArtifactError) return { statusCode: 'CLIENT_ERROR', message: e.message };
    throw e;
  }
  return undefined;
}

/** Test reports of the buildspec's `reports:` section; they never fail the build. */
export function writeReports(run: BuildRun): void {
  const reports = run.spec?.reports ?? {};
  if (Object.keys(reports).length === 0) return;
  const b = run.tracker.build;
  const arns = run.d.reports.write(
    {
      scope: run.scope,
      project: b.projectName,
      buildArn: b.arn,
      buildUuid: b.uuid,
      srcHost: run.srcHost,
      workspace: run.ws.hostRoot,
      visible: (host) => (run.backend.sandbox.mapsPaths ? host.replace(run.ws.hostRoot, '/codebuild') : host),
      log: (l) => run.log.agent(l),
    },
    reports,
  );
  run.tracker.update((r) => (r.reportArns = arns));
}

export async function saveBuildCache(run: BuildRun): Promise<void> {
  const b = run.tracker.build;
  if (!run.spec || !cacheEnabled(b.cache, run.spec.cache)) return;
  await saveCache(b.cache, run.spec.cache!, run.cacheKey, run.srcHost, { aws: run.d.aws, scope: run.scope, project: b.projectName, localRoot: run.d.cacheRoot, log: (l) => run.log.agent(l) });
}

/** env.exported-variables, with the values the commands left (AWS freezes them after POST_BUILD). */
export async function captureExported(run: BuildRun): Promise<void> {
  const names = run.spec?.env.exportedVariables ?? [];
  if (!names.length || !run.shell) return;
  const values = await run.shell.readVariables(names);
  run.tracker.update((r) => (r.exportedEnvironmentVariables = names.map((name) => ({ name, value: values[name] ?? '' }))));
}
