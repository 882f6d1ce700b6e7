import { DockerSandbox, dockerCli, dockerEndpoint, inspectImage, removeContainer } from '../../runtime/docker.js';
import type { Sandbox } from '../../runtime/sandbox.js';
import type { RunnerDeps } from './build-context.js';
import type { BuildRecord } from './store.js';

/** Where one build's commands run, and what its log says about it. */
export interface BuildBackend {
  sandbox: Sandbox;
  /** PATH of the system the commands run on (before /codebuild/bin). */
  path: string;
  /** The build's HOME: the image's /root in a container, a writable directory of the build's own locally. */
  home?: string;
  /** The log's first lines: which backend ran and what the image name means for it. */
  lines: string[];
}

/** The container a build runs in with the Docker backend. */
export const containerName = (uuid: string) => `slipway-codebuild-${uuid}`;

/** A build cut off by a crash: its container, if it ran in one, goes too. */
export function removeBuildContainer(uuid: string): Promise<void> {
  return removeContainer(containerName(uuid));
}

const HOST_PATH = () => process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';

/**
 * The Docker backend when an engine is reachable (and the `docker` command installed) and it
 * has the build's image; otherwise the machine's sandbox, exactly as without Docker.
 * SLIPWAY_CODEBUILD_BACKEND=local keeps every build local.
 */
export async function chooseBackend(d: RunnerDeps, b: BuildRecord): Promise<BuildBackend> {
  const image = b.environment.image;
  const endpoint = process.env.SLIPWAY_CODEBUILD_BACKEND === 'local' ? undefined : dockerEndpoint();
  const found = endpoint && dockerCli() ? await inspectImage(endpoint, image) : undefined;
  if (endpoint && found) {
    const sandbox = new DockerSandbox({ image, imageId: found.id, path: found.path, name: containerName(b.uuid), privileged: b.environment.privilegedMode === true, endpoint });
    return {
      sandbox,
      path: found.path,
      home: '/root',
      lines: [
        `Running on Slipway CodeBuild with the Docker backend. ${sandbox.describe()}`,
        `Image ${image} (${b.environment.computeType}): the local Docker image of that name; the build has exactly that image's tools.`,
      ],
    };
  }
  const s = d.sandbox;
  const why = !endpoint ? 'no Docker engine is reachable' : !dockerCli() ? 'the docker command is not installed' : `the Docker engine at ${endpoint.label} has no image of that name`;
  return {
    sandbox: s,
    path: HOST_PATH(),
    lines: [
      `Running on Slipway CodeBuild with the local ${s.kind} backend. ${s.describe()}`,
      `Image ${b.environment.image} (${b.environment.computeType}): ${why}, so this name means "this machine's own tools" (${process.platform}, node ${process.version}).`,
    ],
  };
}
