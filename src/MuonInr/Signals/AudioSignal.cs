using MuonInr.IO;
using MuonInr.Tensors;

namespace MuonInr.Signals;

/// <summary>
/// A sound clip (or a segment of one) as an INR signal: samples [frames, channels] clamped to [−1, 1]
/// as the paper's loader does, and time coordinates from the paper's grid linspace(−s, s, total frames)
/// of the whole clip. A segment keeps the coordinates its samples have in the whole clip, so a CPU run on
/// a few seconds sees exactly the sample spacing (and so the frequencies per coordinate unit) of the full run.
/// </summary>
public sealed class AudioSignal
{
    /// <summary>Wraps samples [frames, channels] (not copied).</summary>
    public AudioSignal(float[] samples, int channels, int sampleRate, int clipFrames, int startFrame, double timeScale)
    {
        if (channels <= 0 || sampleRate <= 0) throw new ArgumentException($"Audio needs positive channels and sample rate, got {channels} and {sampleRate}.");
        if (samples.Length == 0 || samples.Length % channels != 0) throw new ArgumentException($"Audio needs a whole, non-zero number of frames of {channels} channels, got {samples.Length} samples.");
        if (!(timeScale > 0)) throw new ArgumentException($"Time coordinate scale must be positive, got {timeScale}.");
        Samples = samples; Channels = channels; SampleRate = sampleRate; ClipFrames = clipFrames; StartFrame = startFrame; TimeScale = timeScale;
        if (startFrame < 0 || startFrame + Frames > clipFrames) throw new ArgumentException($"Segment [{startFrame}, {startFrame + Frames}) lies outside the clip of {clipFrames} frames.");
    }

    /// <summary>
    /// Loads <paramref name="audio"/> (clamped to [−1, 1]) and keeps the segment starting at
    /// <paramref name="startSeconds"/> lasting <paramref name="seconds"/> (null: to the end).
    /// </summary>
    public static AudioSignal FromWav(WavAudio audio, double startSeconds, double? seconds, double timeScale)
    {
        int total = audio.Frames, c = audio.Channels;
        if (!(startSeconds >= 0)) throw new ArgumentException($"Start must be ≥ 0 s, got {startSeconds}.");
        if (seconds is { } d && !(d > 0)) throw new ArgumentException($"Duration must be > 0 s, got {d}.");
        int start = (int)Math.Round(startSeconds * audio.SampleRate);
        if (start >= total) throw new ArgumentException($"Start {startSeconds} s is past the end of the clip ({total / (double)audio.SampleRate:F3} s).");
        int frames = seconds is { } s ? Math.Min(total - start, Math.Max(1, (int)Math.Round(s * audio.SampleRate))) : total - start;
        var samples = new float[frames * c];
        for (int i = 0; i < samples.Length; i++) samples[i] = Math.Clamp(audio.Samples[start * c + i], -1f, 1f);
        return new AudioSignal(samples, c, audio.SampleRate, total, start, timeScale);
    }

    /// <summary>Interleaved samples [frames, channels].</summary>
    public float[] Samples { get; }
    /// <summary>Channels.</summary>
    public int Channels { get; }
    /// <summary>Samples per second.</summary>
    public int SampleRate { get; }
    /// <summary>Frames in this signal.</summary>
    public int Frames => Samples.Length / Channels;
    /// <summary>Frames of the whole clip the coordinate grid spans.</summary>
    public int ClipFrames { get; }
    /// <summary>First frame of this segment in the clip.</summary>
    public int StartFrame { get; }
    /// <summary>s of the coordinate range [−s, s] over the whole clip.</summary>
    public double TimeScale { get; }

    /// <summary>Time coordinate of frame <paramref name="i"/> of this segment: linspace(−s, s, clip frames)[start + i].</summary>
    public float Time(int i) => ClipFrames == 1 ? (float)-TimeScale : (float)(TimeScale * (-1.0 + 2.0 * (StartFrame + i) / (ClipFrames - 1)));

    /// <summary>Coordinates [frames, 1]; outside any scope.</summary>
    public Tensor Coordinates()
    {
        var t = Tensor.Zeros(Frames, 1).Escape();
        var s = t.Span;
        for (int i = 0; i < Frames; i++) s[i] = Time(i);
        return t;
    }

    /// <summary>Targets [frames, channels]; outside any scope.</summary>
    public Tensor Targets() => Tensor.FromData(Samples, Frames, Channels).Escape();

    /// <summary>Channel <paramref name="c"/> of interleaved samples [frames, channels].</summary>
    public static float[] Channel(float[] interleaved, int channels, int c)
    {
        var r = new float[interleaved.Length / channels];
        for (int i = 0; i < r.Length; i++) r[i] = interleaved[i * channels + c];
        return r;
    }
}
