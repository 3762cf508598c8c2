using System.Globalization;
using MuonInr.IO;
using MuonInr.Signals;

namespace MuonInr.Tasks.Audio;

/// <summary>
/// The paper's audio task (B.2, fit_audio.py): t ↦ samples, the time coordinate linspace(−s, s) over the
/// whole clip (s = <c>time_scale</c>: 100 for SIREN and FINER in the paper's text, 1 otherwise), MSE loss,
/// SNR and SI-SNR; optionally inpainting over frames.
/// </summary>
public sealed class AudioTask : IFitTask
{
    /// <inheritdoc />
    public string Name => "audio";
    /// <inheritdoc />
    public string Description => "Fit an INR to a sound clip (t ↦ samples) and write a run directory with the reconstruction as WAV and a report.";
    /// <inheritdoc />
    public string DataDescription => "WAV file (PCM 8/16/24/32-bit or float; 'generated' for the built-in 1 s test signal)";
    /// <inheritdoc />
    public IReadOnlyList<TaskOption> Options { get; } =
    [
        new TaskOption("start", TaskOptionKind.Number, "Start of the segment to fit, in seconds.") { Min = 0 },
        new TaskOption("seconds", TaskOptionKind.Number, "Length of the segment in seconds; null = to the end. The segment keeps the time coordinates it has in the whole clip.") { Min = 0, MinExclusive = true, Nullable = true },
        new TaskOption("time_scale", TaskOptionKind.Number, "s of the time coordinates linspace(−s, s) over the whole clip.") { Min = 0, MinExclusive = true },
        new TaskOption("inpaint", TaskOptionKind.Number, "Train on this seeded fraction of the samples and report SNR on the held-out ones; null = fit every sample.") { Min = 0, MinExclusive = true, Max = 1, Nullable = true },
    ];

    /// <inheritdoc />
    public FitProblem Prepare(TaskContext c)
    {
        WavAudio wav;
        if (c.IsGenerated) wav = new WavAudio(TestPatterns.AudioComposite(), 1, 16000, WavSampleFormat.Float32);
        else
        {
            if (Directory.Exists(c.Data)) throw new ArgumentException($"'{c.Data}' is a directory, not a WAV file.");
            if (!File.Exists(c.Data)) throw new FileNotFoundException($"Audio file '{c.Data}' does not exist.", c.Data);
            wav = Wav.Read(c.Data);
        }
        for (int i = 0; i < wav.Samples.Length; i++)
            if (!float.IsFinite(wav.Samples[i]))
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"'{c.Data}' holds a non-finite sample ({wav.Samples[i]}) at frame {i / wav.Channels}, channel {i % wav.Channels}; an INR can only fit finite samples."));
        var signal = AudioSignal.FromWav(wav, c.Number("start"), c.NullableNumber("seconds"), c.Number("time_scale"));
        if (c.NullableNumber("inpaint") is { } f)
        {
            var (train, held) = RowSplit.Random(signal.Frames, f, c.Seed + 1);
            return new AudioProblem(signal, c.Chunk, train, held);
        }
        return new AudioProblem(signal, c.Chunk, null, null);
    }
}
