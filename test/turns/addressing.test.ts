import { describe, expect, it } from 'vitest';
import { AddressingPolicy, type TurnContext } from '../../src/turns/index.js';

const meeting = (overrides: Partial<TurnContext> = {}): TurnContext => ({
  agentAnsweredAtMs: undefined,
  turnsSinceAnswer: 3,
  participantNames: ['Alice Jones', 'Bob'],
  nowMs: 100_000,
  ...overrides,
});

describe('AddressingPolicy', () => {
  const policy = new AddressingPolicy({ addressing: 'when-addressed', agentNames: ['Nova'] });

  it('answers a turn that names the agent, wherever the name is', () => {
    expect(policy.isAddressed("Nova, what's on my calendar tomorrow?", meeting())).toBe(true);
    expect(policy.isAddressed('What do you think, nova?', meeting())).toBe(true);
    expect(policy.isAddressed('Hey Nova summarise that', meeting())).toBe(true);
  });

  it('leaves people talking to each other alone, questions included', () => {
    expect(policy.isAddressed('Bob, did you send the slides?', meeting())).toBe(false);
    expect(policy.isAddressed('Should we invite Priya to the review?', meeting())).toBe(false);
    expect(policy.isAddressed('I think the numbers look fine.', meeting())).toBe(false);
    expect(policy.isAddressed('Novak sent it already', meeting())).toBe(false);
  });

  it('takes a question right after its answer as a follow-up, unless it names someone else', () => {
    const justAnswered = meeting({ agentAnsweredAtMs: 95_000, turnsSinceAnswer: 0 });
    expect(policy.isAddressed('And the week after?', justAnswered)).toBe(true);
    expect(policy.isAddressed('what time will that reminder go off', justAnswered)).toBe(true);
    expect(policy.isAddressed('Alice, can you check that?', justAnswered)).toBe(false);
    expect(policy.isAddressed('Great, that works for me.', justAnswered)).toBe(false);
    expect(policy.isAddressed('And the week after?', meeting({ agentAnsweredAtMs: 95_000, turnsSinceAnswer: 1 }))).toBe(false);
    expect(policy.isAddressed('And the week after?', meeting({ agentAnsweredAtMs: 50_000, turnsSinceAnswer: 0 }))).toBe(false);
  });

  it('takes no follow-up after a turn that closed the exchange ("Thanks, Nova")', () => {
    const afterThanks = meeting({ agentAnsweredAtMs: 95_000, turnsSinceAnswer: 0, answeredText: 'Thanks Nova.' });
    expect(policy.isAddressed('Should we invite Priya to the review?', afterThanks)).toBe(false);
    const afterQuestion = meeting({ agentAnsweredAtMs: 95_000, turnsSinceAnswer: 0, answeredText: 'Nova, when is the review?' });
    expect(policy.isAddressed('Should we invite Priya to the review?', afterQuestion)).toBe(true);
  });

  it('answers to the first word of a longer name', () => {
    const agent = new AddressingPolicy({ addressing: 'when-addressed', agentNames: ['Gemini Agent'] });
    expect(agent.isAddressed('Gemini, what is the time?', meeting())).toBe(true);
    expect(agent.isAddressed('Ask the gemini agent', meeting())).toBe(true);
    expect(agent.isAddressed('What is the time, Bob?', meeting())).toBe(false);
  });

  it("answers everything with 'always', and needs a name for 'when-addressed'", () => {
    expect(new AddressingPolicy({ addressing: 'always', agentNames: [] }).isAddressed('Bob, did you?', meeting())).toBe(true);
    expect(() => new AddressingPolicy({ addressing: 'when-addressed', agentNames: [' '] })).toThrow(/agent's name/);
  });
});
