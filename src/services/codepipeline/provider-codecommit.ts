import type { CodecommitOperations, Difference } from '../../aws/models/generated/codecommit.js';
import type { ClientOf } from '../../aws/gateway/aws-client.js';
import { putArtifact, zipEntries, type ZipEntry } from './artifacts.js';
import { failed, type ActionContext, type ActionOutcome, type ActionProvider } from './provider-types.js';

type CodeCommit = ClientOf<CodecommitOperations>;

/** CodeCommit's dates are `<unix seconds> <+hhmm>`; CodePipeline reports them in ISO 8601. */
export function commitDate(text: string | undefined): string | undefined {
  const m = /^(\d+)/.exec(text ?? '');
  return m ? new Date(Number(m[1]) * 1000).toISOString() : undefined;
}

/** Every file of the commit's tree (path, blob, mode), read with GetDifferences against the empty tree. */
async function treeFiles(cc: CodeCommit, repositoryName: string, commitId: string): Promise<Difference[]> {
  const files: Difference[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cc.GetDifferences({ repositoryName, afterCommitSpecifier: commitId, NextToken });
    files.push(...(page.differences ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return files;
}

async function readFiles(cc: CodeCommit, repositoryName: string, files: Difference[]): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const blob = files[next++].afterBlob!;
      const { content } = await cc.GetBlob({ repositoryName, blobId: blob.blobId! });
      const mode = blob.mode === '100755' ? 0o755 : 0o644;
      if (blob.mode === '120000' || blob.mode === '160000') continue;
      entries.push({ path: blob.path!, data: content, mode });
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, files.length) }, worker));
  return entries.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Source action: the branch head (or the commit a start or trigger asked for), zipped into the artifact store. */
export const codeCommitSource: ActionProvider = {
  async start(ctx: ActionContext): Promise<ActionOutcome> {
    const { RepositoryName: repositoryName, BranchName: branchName } = ctx.config;
    if (ctx.config.OutputArtifactFormat === 'CODEBUILD_CLONE_REF') return failed('Slipway does not produce CODEBUILD_CLONE_REF artifacts yet; use CODE_ZIP.', { code: 'ConfigurationError' });
    const cc = ctx.deps.aws.service<CodecommitOperations>('codecommit', ctx.scope);
    const override = ctx.execution.sourceOverrides.find((o) => o.actionName === ctx.action.name && o.revisionType === 'COMMIT_ID');
    const commitId = override?.revisionValue ?? (await cc.GetBranch({ repositoryName, branchName })).branch?.commitId;
    if (!commitId) return failed(`The branch ${branchName} of repository ${repositoryName} has no commits.`);
    const { commit } = await cc.GetCommit({ repositoryName, commitId });
    const entries = await readFiles(cc, repositoryName, await treeFiles(cc, repositoryName, commitId));
    await putArtifact(ctx.deps.aws, ctx.scope, ctx.outputs[0], zipEntries(entries));
    const region = ctx.scope.region;
    const url = `https://${region}.console.aws.amazon.com/codesuite/codecommit/repositories/${repositoryName}/commit/${commitId}?region=${region}`;
    const message = commit.message?.replace(/\n$/, '') ?? '';
    const authorDate = commitDate(commit.author?.date) ?? '';
    return {
      status: 'Succeeded',
      summary: message,
      externalExecutionId: commitId,
      externalExecutionUrl: url,
      outputVariables: {
        AuthorDate: authorDate,
        BranchName: branchName,
        CommitId: commitId,
        CommitMessage: message,
        CommitterDate: commitDate(commit.committer?.date) ?? '',
        RepositoryName: repositoryName,
      },
      revision: { revisionId: commitId, revisionSummary: message, revisionUrl: url, created: Date.parse(authorDate) || undefined },
    };
  },
};
