namespace MuonInr.Tasks;

/// <summary>One final metric of a run, with the convention it was computed under.</summary>
/// <param name="Name">snake_case name in summary.json ("psnr", "ssim", "snr", …).</param>
/// <param name="Value">The value (may be NaN or infinite; summary.json then writes null and a reason).</param>
/// <param name="Unit">"dB" or "" (unitless).</param>
/// <param name="Convention">How it was computed ("unclamped prediction, data range 1, held-out pixels", …).</param>
public sealed record TaskMetric(string Name, double Value, string Unit, string Convention);
