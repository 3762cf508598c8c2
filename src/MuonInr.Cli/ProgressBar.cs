using System.Diagnostics;
using System.Globalization;
using MuonInr.Experiments;

namespace MuonInr.Cli;

/// <summary>
/// A one-line live progress bar on the error stream: step, loss, PSNR, steps/s and ETA. On a terminal
/// it redraws in place (at most ~10 times a second); when redirected it prints a line every 10%.
/// </summary>
internal sealed class ProgressBar(TextWriter writer, string label, bool interactive)
{
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private int _lastDecile = -1;

    /// <summary>A bar on stderr, interactive when stderr is a terminal.</summary>
    public static ProgressBar ForConsole(string label) => new(Console.Error, label, !Console.IsErrorRedirected);

    public void Report(TrainingProgress p)
    {
        bool last = p.Step == p.TotalSteps;
        if (interactive)
        {
            if (!last && _sinceDraw.ElapsedMilliseconds < 100) return;
            _sinceDraw.Restart();
            writer.Write("\r" + Line(p) + "   ");
            if (last) writer.WriteLine();
        }
        else
        {
            int decile = p.TotalSteps == 0 ? 10 : (int)(10L * p.Step / p.TotalSteps);
            if (decile == _lastDecile && !last) return;
            _lastDecile = decile;
            writer.WriteLine(Line(p));
        }
        writer.Flush();
    }

    private string Line(TrainingProgress p)
    {
        const int width = 24;
        int filled = p.TotalSteps == 0 ? width : (int)((long)width * p.Step / p.TotalSteps);
        double eta = p.StepsPerSecond > 0 ? (p.TotalSteps - p.Step) / p.StepsPerSecond : double.NaN;
        // PSNR and SNR are in dB; other followed metrics (SDF's IoU) are plain numbers.
        bool decibels = p.Metric is "psnr" or "snr" or "si_snr";
        string psnr = !double.IsFinite(p.Psnr) ? "--" : decibels ? $"{p.Psnr:F2} dB" : $"{p.Psnr:F3}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{label} [{new string('#', filled)}{new string('.', width - filled)}] {p.Step}/{p.TotalSteps} loss {p.Loss:E3} {p.Metric} {psnr} {p.StepsPerSecond:F1} it/s ETA {FormatEta(eta)}");
    }

    internal static string FormatEta(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "--:--";
        if (seconds >= 100 * 86400) return ">100 days";
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        if (t.TotalDays >= 1) return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalDays}d {t.Hours:D2}h{t.Minutes:D2}m");
        return t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }
}
