using System.Buffers.Binary;
using System.Text;

namespace MuonInr.IO;

/// <summary>
/// RIFF/WAVE codec: PCM 8 (unsigned), 16, 24, 32-bit and IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE,
/// any number of channels; chunks (fmt, fact, LIST, data, …) are walked in any order with their pad
/// bytes. PCM is normalised by 2^(bits−1) (8-bit: (v − 128)/128); writing clamps to the format's range.
/// Defects become a <see cref="DataFormatException"/> naming the file and the problem.
/// </summary>
public static class Wav
{
    private const ushort FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;

    /// <summary>Reads a WAV file.</summary>
    public static WavAudio Read(string path)
    {
        if (Directory.Exists(path)) throw new DataFormatException($"'{path}' is a directory, not a WAV file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Audio file '{path}' does not exist.", path);
        // The file is read whole and decoded to float32 (at most 4 bytes per byte of 8-bit PCM): refuse what
        // cannot fit in half the memory available before reading it.
        long length = new FileInfo(path).Length, available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (length > int.MaxValue || length * 5 > available / 2)
            throw new DataFormatException($"'{path}' is {length / (1 << 20)} MB; decoding it needs up to {length * 5 / (1 << 20)} MB but about {available / (1 << 20)} MB are available. Cut the clip (e.g. with sox) or use a machine with more memory.");
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes WAV bytes; <paramref name="name"/> is used in error messages.</summary>
    public static WavAudio Decode(ReadOnlySpan<byte> wav, string name = "<memory>")
    {
        DataFormatException Bad(string why) => new($"'{name}' is not a valid WAV file: {why}.");
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw Bad("missing RIFF/WAVE header");
        int pos = 12;
        int channels = 0, rate = 0, bits = 0; ushort tag = 0;
        bool haveFmt = false;
        ReadOnlySpan<byte> data = default;
        bool haveData = false;
        while (pos + 8 <= wav.Length)
        {
            string id = Encoding.ASCII.GetString(wav.Slice(pos, 4));
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(wav[(pos + 4)..]);
            long end = pos + 8L + size;
            if (end > wav.Length)
            {
                if (id == "data") throw Bad($"data chunk claims {size} bytes but only {wav.Length - pos - 8} remain (truncated)");
                throw Bad($"chunk '{id}' at byte {pos} runs past the end of the file (truncated)");
            }
            var body = wav.Slice(pos + 8, (int)size);
            if (id == "fmt ")
            {
                if (size < 16) throw Bad($"fmt chunk has {size} bytes, expected at least 16");
                tag = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(body[4..]));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (tag == FormatExtensible)
                {
                    if (size < 40) throw Bad("WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes");
                    tag = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]); // first two bytes of the sub-format GUID
                }
                haveFmt = true;
            }
            else if (id == "data")
            {
                data = body; haveData = true;
            }
            pos = (int)(end + (size & 1)); // chunks are padded to even sizes
        }
        if (!haveFmt) throw Bad("no fmt chunk");
        if (!haveData) throw Bad("no data chunk");
        if (channels < 1) throw Bad($"invalid channel count {channels}");
        if (rate < 1) throw Bad($"invalid sample rate {rate}");
        WavSampleFormat format = (tag, bits) switch
        {
            (FormatPcm, 8) => WavSampleFormat.Pcm8,
            (FormatPcm, 16) => WavSampleFormat.Pcm16,
            (FormatPcm, 24) => WavSampleFormat.Pcm24,
            (FormatPcm, 32) => WavSampleFormat.Pcm32,
            (FormatFloat, 32) => WavSampleFormat.Float32,
            (FormatFloat, 64) => WavSampleFormat.Float64,
            _ => throw Bad($"unsupported encoding (format tag {tag}, {bits} bits per sample)"),
        };
        int bytes = bits / 8, frame = bytes * channels;
        if (data.Length % frame != 0) throw Bad($"data chunk of {data.Length} bytes is not a whole number of {frame}-byte frames");
        var samples = new float[data.Length / bytes];
        for (int i = 0; i < samples.Length; i++)
        {
            var s = data.Slice(i * bytes, bytes);
            samples[i] = format switch
            {
                WavSampleFormat.Pcm8 => (s[0] - 128) / 128f,
                WavSampleFormat.Pcm16 => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
                WavSampleFormat.Pcm24 => ((s[0] | s[1] << 8 | s[2] << 16) << 8 >> 8) / 8388608f,
                WavSampleFormat.Pcm32 => (float)(BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0),
                WavSampleFormat.Float32 => BinaryPrimitives.ReadSingleLittleEndian(s),
                _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
            };
        }
        return new WavAudio(samples, channels, rate, format);
    }

    /// <summary>Encodes audio in <paramref name="format"/> (PCM values are clamped to [−1, 1) and rounded).</summary>
    public static byte[] Encode(WavAudio audio, WavSampleFormat format)
    {
        int bits = format switch { WavSampleFormat.Pcm8 => 8, WavSampleFormat.Pcm16 => 16, WavSampleFormat.Pcm24 => 24, WavSampleFormat.Pcm32 or WavSampleFormat.Float32 => 32, _ => 64 };
        bool isFloat = format is WavSampleFormat.Float32 or WavSampleFormat.Float64;
        int bytes = bits / 8;
        long dataLen = (long)audio.Samples.Length * bytes;
        if (dataLen > uint.MaxValue - 64) throw new ArgumentException("Audio is too long for a WAV file.");
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write((uint)(4 + 8 + 16 + 8 + dataLen + (dataLen & 1))); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16u);
        w.Write(isFloat ? FormatFloat : FormatPcm); w.Write((ushort)audio.Channels); w.Write((uint)audio.SampleRate);
        w.Write((uint)(audio.SampleRate * bytes * audio.Channels)); w.Write((ushort)(bytes * audio.Channels)); w.Write((ushort)bits);
        w.Write("data"u8); w.Write((uint)dataLen);
        foreach (float v in audio.Samples)
        {
            double c = Math.Clamp((double)v, -1.0, 1.0);
            switch (format)
            {
                case WavSampleFormat.Pcm8: w.Write((byte)Math.Clamp(Math.Round(c * 128) + 128, 0, 255)); break;
                case WavSampleFormat.Pcm16: w.Write((short)Math.Clamp(Math.Round(c * 32768), short.MinValue, short.MaxValue)); break;
                case WavSampleFormat.Pcm24:
                    int x = (int)Math.Clamp(Math.Round(c * 8388608), -8388608, 8388607);
                    w.Write((byte)x); w.Write((byte)(x >> 8)); w.Write((byte)(x >> 16)); break;
                case WavSampleFormat.Pcm32: w.Write((int)Math.Clamp(Math.Round(c * 2147483648.0), int.MinValue, int.MaxValue)); break;
                case WavSampleFormat.Float32: w.Write(v); break;
                default: w.Write((double)v); break;
            }
        }
        if ((dataLen & 1) != 0) w.Write((byte)0);
        w.Flush();
        return ms.ToArray();
    }

    /// <summary>Writes a WAV file atomically; refuses to replace an existing file unless <paramref name="overwrite"/>.</summary>
    public static void Write(string path, WavAudio audio, WavSampleFormat format, bool overwrite = false)
    {
        if (!overwrite && File.Exists(path)) throw new IOException($"Refusing to overwrite existing file '{path}'.");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full) ?? ".");
        string tmp = full + ".tmp";
        File.WriteAllBytes(tmp, Encode(audio, format));
        File.Move(tmp, full, overwrite);
    }
}
