// A LiveKit native-SDK peer: `@livekit/rtc-node`, the Rust SDK with
// libwebrtc inside, as bots, recorders and native apps use it. It publishes
// a tone from raw PCM and keeps the last half second it hears from each
// remote participant, so a test can find that audio's loudest frequency.
// libwebrtc gathers no loopback candidates: these peers reach the SFU only
// on a non-loopback address (the specs run in a network namespace, see
// .ci/e2e-netns).
import {
  AudioFrame, AudioSource, AudioStream, LocalAudioTrack, Room, RoomEvent, TrackKind,
  TrackPublishOptions, TrackSource,
} from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';

const RATE = 48_000;
const KEEP = RATE / 2;

export interface Heard { rms: number; hz: number; samples: number }

export interface NativePeer {
  room: Room;
  track: LocalAudioTrack;
  /** What was heard from `identity` lately (null before any audio). */
  hearing(identity: string): Heard | null;
  /** Mutes or unmutes the published track, as the SDK's apps do. */
  mute(muted: boolean): void;
  leave(): Promise<void>;
}

/** A token for the media role, as LiveKit's server SDK mints one. */
export async function nativeToken(key: string, secret: string, room: string, identity: string) {
  const t = new AccessToken(key, secret, { identity, ttl: 600 });
  t.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true });
  return t.toJwt();
}

/** Joins `url` with `token`, publishes a `hz` tone and listens. */
export async function nativePeer(url: string, token: string, hz: number): Promise<NativePeer> {
  const room = new Room();
  const heard = new Map<string, number[]>();
  room.on(RoomEvent.TrackSubscribed, async (track, _publication, participant) => {
    if (track.kind !== TrackKind.KIND_AUDIO) return;
    const kept: number[] = [];
    heard.set(participant.identity, kept);
    for await (const frame of new AudioStream(track, RATE, 1)) {
      for (const s of frame.data) kept.push(s);
      if (kept.length > KEEP) kept.splice(0, kept.length - KEEP);
    }
  });
  await room.connect(url, token, { autoSubscribe: true, dynacast: false });
  const source = new AudioSource(RATE, 1);
  const track = LocalAudioTrack.createAudioTrack('microphone', source);
  const options = new TrackPublishOptions();
  options.source = TrackSource.SOURCE_MICROPHONE;
  await room.localParticipant!.publishTrack(track, options);
  let playing = true;
  let n = 0;
  (async () => {
    while (playing) {
      const pcm = new Int16Array(480);
      for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * (n + i)) / RATE));
      n += pcm.length;
      await source.captureFrame(new AudioFrame(pcm, RATE, 1, pcm.length));
    }
  })();
  return {
    room,
    track,
    hearing: (identity) => {
      const kept = heard.get(identity);
      if (!kept || kept.length < 4800) return null;
      return analyse(kept.slice(-4800));
    },
    // rtc-node 1.1 has no mute method yet; its FFI does (the same request
    // LiveKit's Rust and Python SDKs send).
    mute: (muted) => {
      (globalThis as any)._ffiClientInstance.request({
        message: { case: 'localTrackMute', value: { trackHandle: (track as any).ffi_handle.handle, mute: muted } },
      });
    },
    leave: async () => {
      playing = false;
      await room.disconnect();
    },
  };
}

/** Loudness and the strongest frequency (200–1200 Hz, 5 Hz steps). */
function analyse(samples: number[]): Heard {
  let energy = 0;
  for (const s of samples) energy += s * s;
  let best = 0, hz = 0;
  for (let f = 200; f <= 1200; f += 5) {
    let re = 0, im = 0;
    const w = (2 * Math.PI * f) / RATE;
    for (let i = 0; i < samples.length; i++) {
      re += samples[i] * Math.cos(w * i);
      im += samples[i] * Math.sin(w * i);
    }
    const p = re * re + im * im;
    if (p > best) { best = p; hz = f; }
  }
  return { rms: Math.sqrt(energy / samples.length), hz, samples: samples.length };
}
