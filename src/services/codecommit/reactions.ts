/** The comment reactions CodeCommit accepts, by emoji, short code or Unicode code point. */
export interface Reaction {
  emoji: string;
  shortCode: string;
  unicode: string;
}

export const REACTIONS: readonly Reaction[] = [
  { emoji: '👍', shortCode: ':thumbsup:', unicode: 'U+1F44D' },
  { emoji: '👎', shortCode: ':thumbsdown:', unicode: 'U+1F44E' },
  { emoji: '😄', shortCode: ':smile:', unicode: 'U+1F604' },
  { emoji: '❤️', shortCode: ':heart:', unicode: 'U+2764' },
  { emoji: '😕', shortCode: ':confused:', unicode: 'U+1F615' },
  { emoji: '🎉', shortCode: ':tada:', unicode: 'U+1F389' },
  { emoji: '😆', shortCode: ':laughing:', unicode: 'U+1F606' },
  { emoji: '👀', shortCode: ':eyes:', unicode: 'U+1F440' },
  { emoji: '🚀', shortCode: ':rocket:', unicode: 'U+1F680' },
  { emoji: '😢', shortCode: ':cry:', unicode: 'U+1F622' },
];

export function findReaction(value: string): Reaction | undefined {
  return REACTIONS.find((r) => r.emoji === value || r.shortCode === value || r.unicode === value || r.emoji.replace('\ufe0f', '') === value);
}
