import { describe, expect, it } from 'vitest';
import { BackchannelClassifier } from '../../src/turns/index.js';

describe('BackchannelClassifier', () => {
  const classifier = new BackchannelClassifier();

  it('takes words of attention and agreement as backchannels, as STT services write them', () => {
    for (const text of ['Mm-hmm.', 'yeah', 'Right.', 'Okay', 'uh-huh', 'I see.', 'Yeah, right.', 'got it', 'Ha ha.', 'Oh, okay!', 'exactly']) {
      expect(classifier.isBackchannel(text), text).toBe(true);
    }
  });

  it('takes anything with another word as a real interruption', () => {
    for (const text of ['wait, stop', "No, that's wrong.", 'Hold on, I have a question', 'yeah but wait', 'I got it wrong', 'stop', 'no']) {
      expect(classifier.isBackchannel(text), text).toBe(false);
    }
  });

  it('has no opinion on silence: no words is not a backchannel', () => {
    expect(classifier.isBackchannel('')).toBe(false);
    expect(classifier.isBackchannel(' ... ')).toBe(false);
  });

  it('tells a transcript still being written that may become one ("I" of "I see") from one that cannot', () => {
    expect(classifier.mayBecomeBackchannel('I')).toBe(true);
    expect(classifier.mayBecomeBackchannel('yeah, got')).toBe(true);
    expect(classifier.mayBecomeBackchannel('I have')).toBe(false);
    expect(classifier.mayBecomeBackchannel('wait')).toBe(false);
  });

  it('takes a list of its own', () => {
    const custom = new BackchannelClassifier(['jawohl', 'genau']);
    expect(custom.isBackchannel('Genau, jawohl.')).toBe(true);
    expect(custom.isBackchannel('yeah')).toBe(false);
  });
});
