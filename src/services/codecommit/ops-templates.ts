import type { RequestContext } from '../../aws/gateway/context.js';
import type { ApprovalRuleTemplate } from '../../aws/models/generated/codecommit.js';
import { uuid } from '../../core/ids.js';
import { parseRuleContent } from './approval-rules.js';
import type { CodeCommit, Ops } from './context.js';
import { javaDate } from './events.js';
import { sha256 } from './ops-pull-requests.js';
import { repositoryArn } from './repositories.js';
import type { RepositoryRecord, TemplateRecord } from './store.js';
import { ccError, pageOf, pageSize } from './validation.js';

const MAX_TEMPLATES = 1000;
const MAX_PER_REPOSITORY = 25;

function view(t: TemplateRecord): ApprovalRuleTemplate {
  return {
    approvalRuleTemplateId: t.id,
    approvalRuleTemplateName: t.name,
    approvalRuleTemplateDescription: t.description,
    approvalRuleTemplateContent: t.content,
    ruleContentSha256: t.sha256,
    lastModifiedDate: new Date(t.lastModifiedDate),
    creationDate: new Date(t.creationDate),
    lastModifiedUser: t.lastModifiedUser,
  };
}

function checkName(name: string | undefined): string {
  if (!name) throw ccError('ApprovalRuleTemplateNameRequiredException', 'An approval rule template name is required, but was not specified.');
  if (name.length > 100) throw ccError('InvalidApprovalRuleTemplateNameException', `The name of the approval rule template is not valid: ${name}`);
  return name;
}

function checkContent(content: string | undefined): string {
  if (!content) throw ccError('ApprovalRuleTemplateContentRequiredException', 'The content for the approval rule template is empty. You must provide some content for an approval rule template. The content cannot be null.');
  if (!parseRuleContent(content)) throw ccError('InvalidApprovalRuleTemplateContentException', 'The content of the approval rule template is not valid.');
  return content;
}

/** Approval rule templates and their associations with repositories. */
export function templateOperations(cc: CodeCommit): Ops {
  const { store, repos, deps } = cc;
  const get = (ctx: RequestContext, name: string | undefined): TemplateRecord => {
    const t = store.templates.get(ctx, checkName(name));
    if (!t) throw ccError('ApprovalRuleTemplateDoesNotExistException', `The specified approval rule template does not exist: ${name}`);
    return t;
  };
  const save = (ctx: RequestContext, t: TemplateRecord) => store.templates.put(ctx, t.name, t);

  const emit = (ctx: RequestContext, t: TemplateRecord, event: string, changed: RepositoryRecord[] = []) => {
    cc.notifier.event(ctx, {
      source: 'aws.codecommit',
      detailType: 'CodeCommit Approval Rule Template Change',
      resources: changed.map((r) => repositoryArn(r)),
      time: new Date(deps.clock.now()),
      detail: {
        approvalRuleTemplateContentSha256: t.sha256,
        approvalRuleTemplateId: t.id,
        approvalRuleTemplateName: t.name,
        callerUserArn: ctx.principal.arn,
        creationDate: javaDate(t.creationDate),
        event,
        lastModifiedDate: javaDate(t.lastModifiedDate),
        repositories: Object.fromEntries(changed.map((r) => [r.name, r.id])),
      },
    });
  };

  const associate = (ctx: RequestContext, t: TemplateRecord, repo: RepositoryRecord) => {
    if (t.repositoryIds.includes(repo.id)) return;
    const count = store.templates.list(ctx).filter((x) => x.repositoryIds.includes(repo.id)).length;
    if (count >= MAX_PER_REPOSITORY) throw ccError('MaximumRuleTemplatesAssociatedWithRepositoryException', `The maximum number of approval rule templates for a repository has been exceeded. You cannot associate more than ${MAX_PER_REPOSITORY} approval rule templates with a repository.`);
    t.repositoryIds.push(repo.id);
  };

  const batch = (ctx: RequestContext, name: string, names: string[], act: (t: TemplateRecord, repo: RepositoryRecord) => void, event: string) => {
    const t = get(ctx, name);
    if (!names.length) throw ccError('RepositoryNamesRequiredException', 'At least one repository name object is required, but was not specified.');
    const done: RepositoryRecord[] = [];
    const errors: { repositoryName: string; errorCode: string; errorMessage: string }[] = [];
    for (const n of names) {
      try {
        const repo = repos.get(ctx, n);
        act(t, repo);
        done.push(repo);
      } catch (e) {
        const err = e as { code?: string; message: string };
        errors.push({ repositoryName: n, errorCode: err.code ?? 'InternalFailure', errorMessage: err.message });
      }
    }
    save(ctx, t);
    if (done.length) emit(ctx, t, event, done);
    return { names: done.map((r) => r.name), errors };
  };

  return {
    async CreateApprovalRuleTemplate(input, ctx) {
      const name = checkName(input.approvalRuleTemplateName);
      const content = checkContent(input.approvalRuleTemplateContent);
      if (store.templates.has(ctx, name)) throw ccError('ApprovalRuleTemplateNameAlreadyExistsException', `You cannot create an approval rule template with that name because a template with that name already exists in this AWS Region for your AWS account: ${name}`);
      if (store.templates.list(ctx).length >= MAX_TEMPLATES) throw ccError('NumberOfRuleTemplatesExceededException', `The maximum number of approval rule templates (${MAX_TEMPLATES}) has been exceeded for this AWS Region.`);
      const now = deps.clock.now();
      const t: TemplateRecord = { id: uuid(), name, description: input.approvalRuleTemplateDescription ?? '', content, sha256: sha256(content), creationDate: now, lastModifiedDate: now, lastModifiedUser: ctx.principal.arn, repositoryIds: [] };
      save(ctx, t);
      emit(ctx, t, 'approvalRuleTemplateCreated');
      return { approvalRuleTemplate: view(t) };
    },

    async GetApprovalRuleTemplate(input, ctx) {
      return { approvalRuleTemplate: view(get(ctx, input.approvalRuleTemplateName)) };
    },

    async ListApprovalRuleTemplates(input, ctx) {
      const page = pageOf(store.templates.list(ctx).map((t) => t.name), input.nextToken, pageSize(input.maxResults, 100, 100));
      return { approvalRuleTemplateNames: page.items, nextToken: page.next };
    },

    async UpdateApprovalRuleTemplateContent(input, ctx) {
      const t = get(ctx, input.approvalRuleTemplateName);
      if (input.existingRuleContentSha256 && input.existingRuleContentSha256 !== t.sha256) throw ccError('InvalidRuleContentSha256Exception', 'The SHA-256 hash signature for the rule content is not valid.');
      const content = checkContent(input.newRuleContent);
      Object.assign(t, { content, sha256: sha256(content), lastModifiedDate: deps.clock.now(), lastModifiedUser: ctx.principal.arn });
      save(ctx, t);
      emit(ctx, t, 'approvalRuleTemplateUpdated');
      return { approvalRuleTemplate: view(t) };
    },

    async UpdateApprovalRuleTemplateDescription(input, ctx) {
      const t = get(ctx, input.approvalRuleTemplateName);
      Object.assign(t, { description: input.approvalRuleTemplateDescription, lastModifiedDate: deps.clock.now(), lastModifiedUser: ctx.principal.arn });
      save(ctx, t);
      return { approvalRuleTemplate: view(t) };
    },

    async UpdateApprovalRuleTemplateName(input, ctx) {
      const t = get(ctx, input.oldApprovalRuleTemplateName);
      const name = checkName(input.newApprovalRuleTemplateName);
      if (name !== t.name && store.templates.has(ctx, name)) throw ccError('ApprovalRuleTemplateNameAlreadyExistsException', `An approval rule template with the name ${name} already exists.`);
      store.transaction(() => {
        store.templates.delete(ctx, t.name);
        Object.assign(t, { name, lastModifiedDate: deps.clock.now(), lastModifiedUser: ctx.principal.arn });
        save(ctx, t);
      });
      return { approvalRuleTemplate: view(t) };
    },

    async DeleteApprovalRuleTemplate(input, ctx) {
      const name = checkName(input.approvalRuleTemplateName);
      const t = store.templates.get(ctx, name);
      if (!t) return { approvalRuleTemplateId: '' };
      if (t.repositoryIds.length) throw ccError('ApprovalRuleTemplateInUseException', 'The approval rule template is associated with one or more repositories. You cannot delete a template that is associated with a repository. Remove all associations, and then try again.');
      store.templates.delete(ctx, name);
      emit(ctx, t, 'approvalRuleTemplateDeleted');
      return { approvalRuleTemplateId: t.id };
    },

    async AssociateApprovalRuleTemplateWithRepository(input, ctx) {
      const t = get(ctx, input.approvalRuleTemplateName);
      const repo = repos.get(ctx, input.repositoryName);
      associate(ctx, t, repo);
      save(ctx, t);
      emit(ctx, t, 'approvalRuleTemplateAssociatedWithRepository', [repo]);
      return {};
    },

    async DisassociateApprovalRuleTemplateFromRepository(input, ctx) {
      const t = get(ctx, input.approvalRuleTemplateName);
      const repo = repos.get(ctx, input.repositoryName);
      t.repositoryIds = t.repositoryIds.filter((id) => id !== repo.id);
      save(ctx, t);
      emit(ctx, t, 'approvalRuleTemplateDisassociatedFromRepository', [repo]);
      return {};
    },

    async BatchAssociateApprovalRuleTemplateWithRepositories(input, ctx) {
      const r = batch(ctx, input.approvalRuleTemplateName, input.repositoryNames, (t, repo) => associate(ctx, t, repo), 'batchAssociateApprovalRuleTemplateWithRepositories');
      return { associatedRepositoryNames: r.names, errors: r.errors };
    },

    async BatchDisassociateApprovalRuleTemplateFromRepositories(input, ctx) {
      const r = batch(ctx, input.approvalRuleTemplateName, input.repositoryNames, (t, repo) => (t.repositoryIds = t.repositoryIds.filter((id) => id !== repo.id)), 'batchDisassociateApprovalRuleTemplateFromRepositories');
      return { disassociatedRepositoryNames: r.names, errors: r.errors };
    },

    async ListAssociatedApprovalRuleTemplatesForRepository(input, ctx) {
      const repo = repos.get(ctx, input.repositoryName);
      const names = store.templates.list(ctx).filter((t) => t.repositoryIds.includes(repo.id)).map((t) => t.name);
      const page = pageOf(names, input.nextToken, pageSize(input.maxResults, 100, 100));
      return { approvalRuleTemplateNames: page.items, nextToken: page.next };
    },

    async ListRepositoriesForApprovalRuleTemplate(input, ctx) {
      const t = get(ctx, input.approvalRuleTemplateName);
      const names = t.repositoryIds.map((id) => repos.byId(ctx, id)?.name).filter((n): n is string => n !== undefined).sort();
      const page = pageOf(names, input.nextToken, pageSize(input.maxResults, 100, 100));
      return { repositoryNames: page.items, nextToken: page.next };
    },
  };
}
