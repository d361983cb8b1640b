// Sine-tone WAV files for Chromium's fake microphone
// (--use-file-for-fake-audio-capture), written once per frequency.
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** A 30 s, 48 kHz, mono, 16-bit sine at `hz`; returns its path. */
export function writeTone(hz: number): string {
  const dir = join(tmpdir(), 'belfry-tones');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `tone${hz}.wav`);
  if (existsSync(path)) return path;
  const rate = 48000;
  const samples = rate * 30;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 12000), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
  return path;
}
