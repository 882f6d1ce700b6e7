import type { Notification, StoredAttribute } from './message.js';
import { messageFor } from './message.js';
import { canonicalString, CERT_PATH, type Signer } from './signing.js';

/** What envelopes need besides the message: Slipway's URL (for links) and the signer. */
export interface EnvelopeContext {
  endpoint: string;
  signer: Signer;
}

export interface Target {
  topicArn: string;
  subscriptionArn: string;
  protocol: string;
  signatureVersion: string;
}

type Fields = [string, unknown][];

export function unsubscribeUrl(endpoint: string, subscriptionArn: string): string {
  return `${endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`;
}

export function subscribeUrl(endpoint: string, topicArn: string, token: string): string {
  return `${endpoint}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`;
}

/** The JSON document SNS delivers to SQS, HTTP/S and email-json subscribers, as ordered fields. */
export function notificationFields(n: Notification, t: Target, ctx: EnvelopeContext): Fields {
  const base: Record<string, unknown> = {
    Type: 'Notification',
    MessageId: n.messageId,
    SequenceNumber: n.sequenceNumber,
    TopicArn: t.topicArn,
    Subject: n.subject,
    Message: messageFor(n, t.protocol),
    Timestamp: n.timestamp,
  };
  const signed: Record<string, unknown> = {
    ...base,
    SignatureVersion: t.signatureVersion,
    Signature: ctx.signer.sign(canonicalString(base, 'Notification'), t.signatureVersion),
    SigningCertURL: ctx.endpoint + CERT_PATH,
    UnsubscribeURL: unsubscribeUrl(ctx.endpoint, t.subscriptionArn),
    MessageAttributes: Object.keys(n.attributes).length ? envelopeAttributes(n.attributes) : undefined,
  };
  return Object.entries(signed).filter(([, v]) => v !== undefined);
}

/** SubscriptionConfirmation and UnsubscribeConfirmation messages for HTTP/S and email-json endpoints. */
export function confirmationFields(
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', topicArn: string, token: string, messageId: string, timestamp: string, url: string,
  ctx: EnvelopeContext,
): Fields {
  const message = type === 'SubscriptionConfirmation'
    ? `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
    : `You have chosen to deactivate subscription ${topicArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
  const base = { Type: type, MessageId: messageId, Token: token, TopicArn: topicArn, Message: message, SubscribeURL: url, Timestamp: timestamp };
  return Object.entries({
    ...base,
    SignatureVersion: '1',
    Signature: ctx.signer.sign(canonicalString(base, type), '1'),
    SigningCertURL: ctx.endpoint + CERT_PATH,
  });
}

/** Formats fields the way SNS lays out its JSON: one `"Key" : value` per line. */
export function formatEnvelope(fields: Fields): string {
  const lines = fields.map(([k, v]) => {
    const value = k === 'MessageAttributes'
      ? `{\n${Object.entries(v as object).map(([name, a]) => `    ${JSON.stringify(name)} : ${JSON.stringify(a)}`).join(',\n')}\n  }`
      : JSON.stringify(v);
    return `  ${JSON.stringify(k)} : ${value}`;
  });
  return `{\n${lines.join(',\n')}\n}`;
}

function envelopeAttributes(attrs: Record<string, StoredAttribute>): Record<string, { Type: string; Value: string }> {
  return Object.fromEntries(Object.entries(attrs).map(([k, a]) => [k, { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue ?? '' }]));
}

/** The event a subscribed Lambda function is invoked with. */
export function lambdaEvent(n: Notification, t: Target, ctx: EnvelopeContext): string {
  const fields = Object.fromEntries(notificationFields(n, t, ctx)) as Record<string, unknown>;
  const sns = {
    Type: fields.Type, MessageId: fields.MessageId, TopicArn: fields.TopicArn, Subject: fields.Subject ?? null, Message: fields.Message,
    Timestamp: fields.Timestamp, SignatureVersion: fields.SignatureVersion, Signature: fields.Signature, SigningCertUrl: fields.SigningCertURL,
    UnsubscribeUrl: fields.UnsubscribeURL, MessageAttributes: fields.MessageAttributes ?? {},
  };
  return JSON.stringify({ Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: t.subscriptionArn, Sns: sns }] });
}
