// An optional, gentle end-of-time tone made with WebAudio (no audio files, nothing loaded
// from the network). Off by default; the browser lets it play once someone switched it on.

let audio: AudioContext | null = null

/** Call from the click that switches sound on (browsers start audio only after a gesture). */
export function unlockSound(): void {
  const Ctor = typeof window !== 'undefined' ? window.AudioContext : undefined
  if (!Ctor) return
  audio = audio ?? new Ctor()
  void audio.resume().catch(() => {})
}

/** Two soft sine notes, under a second. */
export function chime(): void {
  const ac = audio
  if (!ac) return
  void ac.resume().catch(() => {})
  const start = ac.currentTime + 0.02
  for (const [i, freq] of [660, 880].entries()) {
    const osc = ac.createOscillator()
    const gain = ac.createGain()
    const at = start + i * 0.28
    osc.type = 'sine'
    osc.frequency.value = freq
    gain.gain.setValueAtTime(0.0001, at)
    gain.gain.exponentialRampToValueAtTime(0.18, at + 0.03)
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.7)
    osc.connect(gain).connect(ac.destination)
    osc.start(at)
    osc.stop(at + 0.75)
  }
}
