namespace MuonInr.IO;

/// <summary>Sample encodings a WAV file can hold.</summary>
public enum WavSampleFormat
{
    /// <summary>Unsigned 8-bit PCM.</summary>
    Pcm8,
    /// <summary>Signed 16-bit PCM.</summary>
    Pcm16,
    /// <summary>Signed 24-bit PCM.</summary>
    Pcm24,
    /// <summary>Signed 32-bit PCM.</summary>
    Pcm32,
    /// <summary>IEEE float, 32-bit.</summary>
    Float32,
    /// <summary>IEEE float, 64-bit.</summary>
    Float64,
}

/// <summary>Decoded audio: samples normalised to [−1, 1] (PCM) or as stored (float), interleaved [frames, channels].</summary>
public sealed class WavAudio
{
    /// <summary>Wraps interleaved samples.</summary>
    public WavAudio(float[] samples, int channels, int sampleRate, WavSampleFormat format)
    {
        if (channels < 1) throw new ArgumentException($"Audio needs at least one channel, got {channels}.");
        if (sampleRate < 1) throw new ArgumentException($"Sample rate must be positive, got {sampleRate}.");
        if (samples.Length % channels != 0) throw new ArgumentException($"{samples.Length} samples do not split into {channels} channels.");
        Samples = samples; Channels = channels; SampleRate = sampleRate; Format = format;
    }

    /// <summary>Interleaved samples [frames, channels].</summary>
    public float[] Samples { get; }
    /// <summary>Channels.</summary>
    public int Channels { get; }
    /// <summary>Frames per second.</summary>
    public int SampleRate { get; }
    /// <summary>The encoding the file used.</summary>
    public WavSampleFormat Format { get; }
    /// <summary>Samples per channel.</summary>
    public int Frames => Samples.Length / Channels;

    /// <summary>One channel as its own array.</summary>
    public float[] Channel(int c)
    {
        if ((uint)c >= (uint)Channels) throw new ArgumentOutOfRangeException(nameof(c), $"Channel {c} does not exist in {Channels}-channel audio.");
        var x = new float[Frames];
        for (int i = 0; i < x.Length; i++) x[i] = Samples[i * Channels + c];
        return x;
    }
}
