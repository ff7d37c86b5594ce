import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { ConversationClosedError, InMemoryConversation, type Message } from '../../src/conversation/index.js';
import { shuffled, splitText } from './text.js';

describe('InMemoryConversation', () => {
  it('reassembles 500 deltas delivered out of order', () => {
    const conversation = new InMemoryConversation();
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(60);
    const deltas = splitText(text, 500);
    let message: Readonly<Message> | undefined;
    for (const [contentIndex, content] of shuffled(deltas.map((delta, index) => [index, delta] as const), 42)) {
      message = conversation.upsert({ id: 'm1', role: 'assistant', userId: 'agent', content, contentIndex });
    }
    expect(message!.content).toBe(text);
    conversation.upsert({ id: 'm1', role: 'assistant', userId: 'agent', content: '', completed: true });
    expect(conversation.get('m1')).toMatchObject({ content: text, completed: true });
  });

  it('applies delta n only after 0..n-1, and drops duplicates', () => {
    const conversation = new InMemoryConversation();
    const write = (content: string, contentIndex: number) =>
      conversation.upsert({ id: 'x', role: 'assistant', userId: 'agent', content, contentIndex }).content;
    expect(write('c', 2)).toBe('');
    expect(write('a', 0)).toBe('a');
    expect(write('a', 0)).toBe('a');
    expect(write('b', 1)).toBe('abc');
  });

  it('replaces, finalises, and ignores deltas after completion', () => {
    const conversation = new InMemoryConversation();
    conversation.upsert({ id: 'u', role: 'user', userId: 'alice', content: 'helo' });
    conversation.upsert({ id: 'u', role: 'user', userId: 'alice', content: 'hello there', replace: true, completed: true });
    conversation.upsert({ id: 'u', role: 'user', userId: 'alice', content: ' late' });
    expect(conversation.get('u')).toMatchObject({ content: 'hello there', completed: true, userId: 'alice', role: 'user' });
  });

  it('keeps what arrived behind a gap when the message completes', () => {
    const conversation = new InMemoryConversation();
    conversation.upsert({ id: 'g', role: 'assistant', userId: 'agent', content: 'one ', contentIndex: 0 });
    conversation.upsert({ id: 'g', role: 'assistant', userId: 'agent', content: 'three', contentIndex: 2 });
    const done = conversation.upsert({ id: 'g', role: 'assistant', userId: 'agent', content: '', completed: true, interrupted: true });
    expect(done).toMatchObject({ content: 'one three', completed: true, interrupted: true });
  });

  it('emits created, updated and completed, and survives a throwing listener', () => {
    const conversation = new InMemoryConversation();
    const seen: string[] = [];
    const errors: string[] = [];
    conversation.events.on('message.created', ({ message }) => void seen.push(`created:${message.content}`));
    conversation.events.on('message.updated', ({ message }) => void seen.push(`updated:${message.content}`));
    conversation.events.on('message.completed', ({ message }) => void seen.push(`completed:${message.content}`));
    conversation.events.on('message.updated', () => {
      throw new Error('listener bug');
    });
    conversation.events.on('error', ({ error }) => void errors.push(error.message));
    conversation.upsert({ id: 'm', role: 'assistant', userId: 'agent', content: 'Hi' });
    conversation.upsert({ id: 'm', role: 'assistant', userId: 'agent', content: ' there' });
    conversation.upsert({ id: 'm', role: 'assistant', userId: 'agent', content: '!', completed: true });
    expect(seen).toEqual(['created:Hi', 'updated:Hi there', 'completed:Hi there!']);
    expect(errors).toEqual(['listener bug']);
  });

  it('keeps messages in order and gives a bounded history', () => {
    const conversation = new InMemoryConversation();
    conversation.send('system', 'agent', 'be brief');
    conversation.send('user', 'alice', 'hi');
    conversation.upsert({ role: 'assistant', userId: 'agent', content: '' });
    conversation.send('assistant', 'agent', 'hello');
    expect(conversation.messages.map((message) => message.content)).toEqual(['be brief', 'hi', '', 'hello']);
    expect(conversation.history({ limit: 2 }).map((message) => message.content)).toEqual(['hi', 'hello']);
    expect(conversation.messages.every((message) => message.timestamp instanceof Date)).toBe(true);
    expect(new Set(conversation.messages.map((message) => message.id)).size).toBe(4);
  });

  it.each([
    [{ role: '', userId: 'u', content: 'x' }, 'role'],
    [{ role: 'robot', userId: 'u', content: 'x' }, 'role'],
    [{ role: 'user', userId: '', content: 'x' }, 'userId'],
    [{ role: 'user', userId: '   ', content: 'x' }, 'userId'],
    [{ role: 'user', content: 'x' }, 'userId'],
    [{ role: 'user', userId: 'u', content: 42 }, 'content'],
    [{ role: 'user', userId: 'u', content: null }, 'content'],
    [{ role: 'user', userId: 'u', content: 'x', contentIndex: -1 }, 'contentIndex'],
    [{ role: 'user', userId: 'u', content: 'x', contentIndex: 1.5 }, 'contentIndex'],
    [{ role: 'user', userId: 'u', content: 'x', id: '' }, 'id'],
    [{ role: 'user', userId: 'u', content: 'x', completed: 'yes' }, 'completed'],
  ])('rejects %j with an error naming %s and changes nothing', (input, path) => {
    const conversation = new InMemoryConversation();
    conversation.upsert({ id: 'keep', role: 'user', userId: 'u', content: 'kept' });
    const before = JSON.stringify(conversation.messages);
    let error: unknown;
    try {
      conversation.upsert({ id: 'keep', ...(input as object) } as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe(path);
    expect(JSON.stringify(conversation.messages)).toBe(before);
  });

  it('refuses writes after close', async () => {
    const conversation = new InMemoryConversation();
    conversation.send('user', 'alice', 'hi');
    await expect(conversation.close()).resolves.toEqual({ persisted: true, unpersisted: [] });
    expect(() => conversation.send('user', 'alice', 'again')).toThrow(ConversationClosedError);
    expect(conversation.messages).toHaveLength(1);
  });
});
