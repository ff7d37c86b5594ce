/**
 * What a listener heard of an answer cut short, when only its audio's length is known: the
 * words whose place in the text falls within the share of the audio that played (speech runs at
 * a roughly even pace through a sentence). A provider with word timings does better (pipeline
 * mode's TTS alignment); this is for those without, such as a realtime model's transcript.
 */
export function heardText(text: string, playedMs: number, generatedMs: number): string {
  if (!(generatedMs > 0) || playedMs >= generatedMs) return text;
  if (!(playedMs > 0)) return '';
  const cutAt = (playedMs / generatedMs) * text.length;
  let heard = '';
  for (const match of text.matchAll(/\S+\s*/g)) {
    if (match.index >= cutAt) break;
    heard += match[0];
  }
  return heard.trimEnd();
}
