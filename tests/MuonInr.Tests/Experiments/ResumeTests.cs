using MuonInr.Experiments;
using MuonInr.Fields;

namespace MuonInr.Tests.Experiments;

public class ResumeTests
{
    [Theory]
    [InlineData("muon")]
    [InlineData("adam")]
    public void Interrupted_and_resumed_run_equals_an_uninterrupted_one(string optimizer)
    {
        string dir = Path.Combine(Path.GetTempPath(), "muoninr-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var o = new ImageFitOptions
            {
                GeneratedWidth = 30, Model = "relu-mlp", Field = new FieldOptions { Hidden = 16, Layers = 4 },
                Optimizer = new OptimizerOptions { Name = optimizer }, Steps = 20, EvalEvery = 5, RankEvery = 10, CheckpointEvery = 10, Seed = 4,
            };
            var full = ImageFitExperiment.Run(o);
            string first = Path.Combine(dir, "first");
            // Interrupt right after the step-10 checkpoint (checkpoints are written before progress is reported).
            Assert.Throws<OperationCanceledException>(() => ImageFitExperiment.Run(o, p => { if (p.Step == 10) throw new OperationCanceledException(); }, first));
            var resumed = ImageFitExperiment.Run(o, null, Path.Combine(dir, "second"), first);
            Assert.Equal(full.Prediction, resumed.Prediction);
            Assert.Equal(full.Summary.Psnr, resumed.Summary.Psnr);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
