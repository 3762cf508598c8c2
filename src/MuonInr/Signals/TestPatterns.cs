namespace MuonInr.Signals;

/// <summary>
/// Generated high-frequency test images (no files needed): a zone plate (chirp in every direction),
/// a Siemens star (edges at all angles converging to the centre), and fine bars. These are what a blurry
/// low-rank INR cannot represent, so they show the optimizer's effect quickly.
/// </summary>
public static class TestPatterns
{
    /// <summary>Zone plate 0.5 + 0.5 cos(k r²), frequency rising to about <paramref name="maxCyclesPerPixel"/> at the corners.</summary>
    public static float[] ZonePlate(int height, int width, double maxCyclesPerPixel = 0.35)
    {
        var p = new float[height * width];
        double rmax2 = 0.25 * (height * (double)height + width * (double)width);
        // Local frequency of cos(k r²) is k r / π cycles per pixel; choose k so it reaches the maximum at rmax.
        double k = maxCyclesPerPixel * Math.PI / Math.Sqrt(rmax2);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double dx = x - (width - 1) / 2.0, dy = y - (height - 1) / 2.0;
                p[y * width + x] = (float)(0.5 + 0.5 * Math.Cos(k * (dx * dx + dy * dy)));
            }
        return p;
    }

    /// <summary>Siemens star with <paramref name="spokes"/> black/white sectors.</summary>
    public static float[] SiemensStar(int height, int width, int spokes = 24)
    {
        var p = new float[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double a = Math.Atan2(y - (height - 1) / 2.0, x - (width - 1) / 2.0);
                p[y * width + x] = Math.Sin(spokes * a) >= 0 ? 0.9f : 0.1f;
            }
        return p;
    }

    /// <summary>
    /// The demo image: RGB [height, width, 3] with a zone plate in red, a Siemens star in green, and
    /// fine bars of several periods (2–8 px) in blue, so every channel carries high frequencies.
    /// </summary>
    public static float[] HighFrequencyComposite(int height, int width)
    {
        var zone = ZonePlate(height, width);
        var star = SiemensStar(height, width);
        var p = new float[height * width * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                int band = Math.Min(3, 4 * y / height);
                int period = 2 << band; // 2, 4, 8, 16 px
                float bars = (x / (period / 2)) % 2 == 0 ? 0.85f : 0.15f;
                p[i * 3] = zone[i];
                p[i * 3 + 1] = star[i];
                p[i * 3 + 2] = 0.5f * bars + 0.5f * zone[(height - 1 - y) * width + x];
            }
        return p;
    }

    /// <summary>
    /// The audio test signal: mono, <paramref name="seconds"/> long at <paramref name="sampleRate"/> Hz, peak
    /// below 0.9: a linear chirp from 100 Hz to 40 % of Nyquist, a 220 Hz tone with eight harmonics and
    /// vibrato, and a decaying click every 125 ms, so it has wide-band content and sharp transients.
    /// </summary>
    public static float[] AudioComposite(int sampleRate = 16000, double seconds = 1.0)
    {
        int n = Math.Max(1, (int)Math.Round(sampleRate * seconds));
        double f1 = 0.4 * sampleRate / 2;
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t = i / (double)sampleRate;
            double chirp = Math.Sin(2 * Math.PI * (100 * t + (f1 - 100) * t * t / (2 * seconds)));
            double vib = 220 * t + 3 * Math.Sin(2 * Math.PI * 5 * t) / (2 * Math.PI * 5) * 5;
            double tone = 0;
            for (int k = 1; k <= 8; k++) tone += Math.Sin(2 * Math.PI * k * vib) / k;
            double sinceClick = t % 0.125;
            double click = Math.Exp(-sinceClick * 400) * Math.Sin(2 * Math.PI * 3000 * sinceClick);
            x[i] = (float)(0.3 * chirp + 0.12 * tone + 0.3 * click);
        }
        return x;
    }
}
