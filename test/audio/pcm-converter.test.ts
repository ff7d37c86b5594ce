import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { PcmConverter } from '../../src/audio/pcm-converter.js';
import { createResampler } from '../../src/audio/resampler.js';
import { concat, tone, toneAmplitude } from './signals.js';

describe('PcmConverter', () => {
  it('matches a plain resampler for mono 48 kHz frames', () => {
    const input = tone(1000, 48_000, 100);
    const converter = new PcmConverter(16_000);
    const resampler = createResampler(48_000, 16_000);
    const converted: Int16Array[] = [];
    for (let i = 0; i < input.length; i += 480) {
      converted.push(converter.convert({ samples: input.subarray(i, i + 480), sampleRate: 48_000, channels: 1 }));
    }
    converted.push(converter.flush());
    expect(concat(converted)).toEqual(concat([resampler.process(input), resampler.flush()]));
  });

  it('downmixes stereo and takes frames at another rate (wrtc sinks start at 16 kHz)', () => {
    const converter = new PcmConverter(16_000);
    const early = converter.convert({ samples: tone(1000, 16_000, 10), sampleRate: 16_000, channels: 1 });
    expect(early).toEqual(tone(1000, 16_000, 10));

    const mono = tone(1000, 48_000, 200, 8000);
    const stereo = new Int16Array(mono.length * 2).map((_, i) => (i % 2 === 0 ? (mono[i >> 1] as number) : 0));
    const out = converter.convert({ samples: stereo, sampleRate: 48_000, channels: 2 });
    expect(toneAmplitude(out, 1000, 16_000, 800, 2400)).toBeCloseTo(4000, -2); // averaged with a silent channel
  });

  it('rejects a malformed frame and changes nothing', () => {
    const converter = new PcmConverter(16_000);
    expect(() => converter.convert({ samples: new Int16Array(5), sampleRate: 48_000, channels: 2 })).toThrow(ValidationError);
    expect(() => converter.convert({ samples: new Int16Array(4), sampleRate: 7, channels: 1 })).toThrow(/sample rate/);
    expect(converter.flush()).toHaveLength(0);
    expect(() => new PcmConverter(0)).toThrow(ValidationError);
    converter.close();
    converter.close();
    expect(() => converter.convert({ samples: new Int16Array(4), sampleRate: 48_000, channels: 1 })).toThrow(/closed/);
  });
});
