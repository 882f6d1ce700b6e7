export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function formatArn(a: Omit<Arn, 'partition'> & { partition?: string }): string {
  return `arn:${a.partition ?? 'aws'}:${a.service}:${a.region}:${a.accountId}:${a.resource}`;
}

export function parseArn(text: string): Arn | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return {
    partition: parts[1],
    service: parts[2],
    region: parts[3],
    accountId: parts[4],
    resource: parts.slice(5).join(':'),
  };
}
